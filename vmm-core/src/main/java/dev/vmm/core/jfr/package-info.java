// SPDX-License-Identifier: Apache-2.0
/**
 * The JDK Flight Recorder events the library emits, all in category "VMM" and named
 * {@code dev.vmm.*}: {@link dev.vmm.core.jfr.VmCreatedEvent}, {@link dev.vmm.core.jfr.BootPhaseEvent}
 * (a microVM's boot moments), {@link dev.vmm.core.jfr.PreFaultEvent} and
 * {@link dev.vmm.core.jfr.PreFaultProgressEvent}, and {@link dev.vmm.core.jfr.VcpuExitsEvent}
 * (exit counts per vCPU, sampled once a second rather than recorded per exit). Record them with
 * {@code -XX:StartFlightRecording} or {@code ./vmm boot --jfr FILE}; when no recording runs they cost
 * next to nothing. The classes are emitted by {@code dev.vmm.core} and its packages, not by users.
 */
package dev.vmm.core.jfr;
