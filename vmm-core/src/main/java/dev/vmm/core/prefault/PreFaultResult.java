// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

import dev.vmm.core.GuestMemory;

import java.time.Duration;
import java.util.List;

/**
 * What a pre-fault did.
 *
 * @param requested the policy asked for
 * @param applied what actually ran: NONE, POPULATE, STAGE2 or FULL (never AUTO)
 * @param probe what the VM said about KVM_PRE_FAULT_MEMORY (null when the policy needed no probe)
 * @param fallbackReason why {@code applied} is less than {@code requested}, or null
 * @param bytesRequested bytes of guest memory in the requested range (holes excluded)
 * @param bytesPopulated bytes whose host pages were populated
 * @param bytesMapped bytes KVM reported as mapped in its stage-2 tables
 * @param skipped ranges left alone: holes between memory slots, and ranges where KVM found no slot (ENOENT)
 * @param ioctlCalls KVM_PRE_FAULT_MEMORY calls made
 * @param retries calls retried after EINTR or EAGAIN
 * @param populateTime wall time of the populate phase
 * @param stage2Time wall time of the stage-2 phase
 * @param cancelled whether {@link PreFaultTask#cancel()} stopped the work early
 */
public record PreFaultResult(PreFaultPolicy requested, PreFaultPolicy applied, PreFaultProbe probe, String fallbackReason,
                             long bytesRequested, long bytesPopulated, long bytesMapped, List<GuestMemory.Range> skipped,
                             long ioctlCalls, long retries, Duration populateTime, Duration stage2Time, boolean cancelled) {
    /** Copies {@code skipped}, so that the record is immutable. */
    public PreFaultResult {
        skipped = List.copyOf(skipped);
    }

    @Override
    public String toString() {
        return "pre-fault " + requested + " -> " + applied
                + (fallbackReason == null ? "" : " (" + fallbackReason + ")")
                + ": populated " + (bytesPopulated >> 20) + " MiB in " + populateTime.toMillis() + " ms, stage-2 mapped "
                + (bytesMapped >> 20) + " MiB in " + stage2Time.toMillis() + " ms with " + ioctlCalls + " ioctls ("
                + retries + " retries)" + (skipped.isEmpty() ? "" : ", skipped " + skipped) + (cancelled ? ", cancelled" : "");
    }
}
