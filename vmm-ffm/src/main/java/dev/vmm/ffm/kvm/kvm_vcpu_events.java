// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@snippet lang=c :
 * struct kvm_vcpu_events {
 *     struct { __u8 injected; __u8 nr; __u8 has_error_code; __u8 pending; __u32 error_code; } exception;
 *     struct { __u8 injected; __u8 nr; __u8 soft; __u8 shadow; } interrupt;
 *     struct { __u8 injected; __u8 pending; __u8 masked; __u8 pad; } nmi;
 *     __u32 sipi_vector;
 *     __u32 flags;
 *     struct { __u8 smm; __u8 pending; __u8 smm_inside_nmi; __u8 latched_init; } smi;
 *     struct { __u8 pending; } triple_fault;
 *     __u8 reserved[26];
 *     __u8 exception_has_payload;
 *     __u64 exception_payload;
 * };
 * }
 * The vCPU's pending and injected events, for {@code KVM_GET_VCPU_EVENTS} and {@code KVM_SET_VCPU_EVENTS}:
 * the exception, interrupt and NMI being delivered, the interrupt shadow, the SIPI vector and SMM state. On
 * set, {@code flags} ({@code KVM_VCPUEVENT_VALID_*}) says which of the optional fields to take; a get fills
 * it in for a later set. Members of the inner structs are named {@code <struct>_<member>}.
 */
public final class kvm_vcpu_events {
    private kvm_vcpu_events() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("injected"),
                    JAVA_BYTE.withName("nr"),
                    JAVA_BYTE.withName("has_error_code"),
                    JAVA_BYTE.withName("pending"),
                    JAVA_INT.withName("error_code")
            ).withName("exception"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("injected"),
                    JAVA_BYTE.withName("nr"),
                    JAVA_BYTE.withName("soft"),
                    JAVA_BYTE.withName("shadow")
            ).withName("interrupt"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("injected"),
                    JAVA_BYTE.withName("pending"),
                    JAVA_BYTE.withName("masked"),
                    JAVA_BYTE.withName("pad")
            ).withName("nmi"),
            JAVA_INT.withName("sipi_vector"),
            JAVA_INT.withName("flags"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("smm"),
                    JAVA_BYTE.withName("pending"),
                    JAVA_BYTE.withName("smm_inside_nmi"),
                    JAVA_BYTE.withName("latched_init")
            ).withName("smi"),
            MemoryLayout.structLayout(
                    JAVA_BYTE.withName("pending")
            ).withName("triple_fault"),
            MemoryLayout.sequenceLayout(26, JAVA_BYTE).withName("reserved"),
            JAVA_BYTE.withName("exception_has_payload"),
            JAVA_LONG.withName("exception_payload")
    ).withName("kvm_vcpu_events");

    /** {@return the layout of {@code struct kvm_vcpu_events}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code exception}, the exception being injected or pending. */
    public static final long exception$OFFSET = $LAYOUT.byteOffset(groupElement("exception"));
    /** Byte offset of {@code exception.injected}, 1 when an exception is being injected. */
    public static final long exception_injected$OFFSET = $LAYOUT.byteOffset(groupElement("exception"), groupElement("injected"));
    /** Byte offset of {@code exception.nr}, its vector. */
    public static final long exception_nr$OFFSET = $LAYOUT.byteOffset(groupElement("exception"), groupElement("nr"));
    /** Byte offset of {@code exception.has_error_code}, 1 when it has an error code. */
    public static final long exception_has_error_code$OFFSET = $LAYOUT.byteOffset(groupElement("exception"), groupElement("has_error_code"));
    /**
     * Byte offset of {@code exception.pending}, 1 when an exception is pending, not yet injected (with
     * {@code KVM_CAP_EXCEPTION_PAYLOAD}).
     */
    public static final long exception_pending$OFFSET = $LAYOUT.byteOffset(groupElement("exception"), groupElement("pending"));
    /** Byte offset of {@code exception.error_code}, its error code. */
    public static final long exception_error_code$OFFSET = $LAYOUT.byteOffset(groupElement("exception"), groupElement("error_code"));
    /** Byte offset of {@code interrupt}, the interrupt being injected. */
    public static final long interrupt$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt"));
    /** Byte offset of {@code interrupt.injected}, 1 when an external interrupt is being injected. */
    public static final long interrupt_injected$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt"), groupElement("injected"));
    /** Byte offset of {@code interrupt.nr}, its vector. */
    public static final long interrupt_nr$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt"), groupElement("nr"));
    /** Byte offset of {@code interrupt.soft}, 1 for a software interrupt (INT n). */
    public static final long interrupt_soft$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt"), groupElement("soft"));
    /**
     * Byte offset of {@code interrupt.shadow}, the interrupt shadow, {@code KVM_X86_SHADOW_INT_*}: after MOV
     * SS or STI.
     */
    public static final long interrupt_shadow$OFFSET = $LAYOUT.byteOffset(groupElement("interrupt"), groupElement("shadow"));
    /** Byte offset of {@code nmi}, the NMI state. */
    public static final long nmi$OFFSET = $LAYOUT.byteOffset(groupElement("nmi"));
    /** Byte offset of {@code nmi.injected}, 1 when an NMI is being injected. */
    public static final long nmi_injected$OFFSET = $LAYOUT.byteOffset(groupElement("nmi"), groupElement("injected"));
    /** Byte offset of {@code nmi.pending}, 1 when an NMI is pending. */
    public static final long nmi_pending$OFFSET = $LAYOUT.byteOffset(groupElement("nmi"), groupElement("pending"));
    /** Byte offset of {@code nmi.masked}, 1 when NMIs are blocked. */
    public static final long nmi_masked$OFFSET = $LAYOUT.byteOffset(groupElement("nmi"), groupElement("masked"));
    /** Byte offset of {@code nmi.pad}, padding. */
    public static final long nmi_pad$OFFSET = $LAYOUT.byteOffset(groupElement("nmi"), groupElement("pad"));
    /**
     * Byte offset of {@code sipi_vector}, the vector of the last SIPI, taken on set with
     * {@code KVM_VCPUEVENT_VALID_SIPI_VECTOR}.
     */
    public static final long sipi_vector$OFFSET = $LAYOUT.byteOffset(groupElement("sipi_vector"));
    /** Byte offset of {@code flags}, which optional fields are valid, {@code KVM_VCPUEVENT_VALID_*}. */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /** Byte offset of {@code smi}, the system management mode state, with {@code KVM_VCPUEVENT_VALID_SMM}. */
    public static final long smi$OFFSET = $LAYOUT.byteOffset(groupElement("smi"));
    /** Byte offset of {@code smi.smm}, 1 when the vCPU is in system management mode. */
    public static final long smi_smm$OFFSET = $LAYOUT.byteOffset(groupElement("smi"), groupElement("smm"));
    /** Byte offset of {@code smi.pending}, 1 when an SMI is pending. */
    public static final long smi_pending$OFFSET = $LAYOUT.byteOffset(groupElement("smi"), groupElement("pending"));
    /** Byte offset of {@code smi.smm_inside_nmi}, 1 when SMM was entered inside an NMI handler. */
    public static final long smi_smm_inside_nmi$OFFSET = $LAYOUT.byteOffset(groupElement("smi"), groupElement("smm_inside_nmi"));
    /** Byte offset of {@code smi.latched_init}, 1 when an INIT arrived in SMM and waits. */
    public static final long smi_latched_init$OFFSET = $LAYOUT.byteOffset(groupElement("smi"), groupElement("latched_init"));
    /**
     * Byte offset of {@code triple_fault}, the triple fault state, with
     * {@code KVM_VCPUEVENT_VALID_TRIPLE_FAULT}.
     */
    public static final long triple_fault$OFFSET = $LAYOUT.byteOffset(groupElement("triple_fault"));
    /**
     * Byte offset of {@code triple_fault.pending}, 1 when a triple fault is pending (with
     * {@code KVM_CAP_X86_TRIPLE_FAULT_EVENT}).
     */
    public static final long triple_fault_pending$OFFSET = $LAYOUT.byteOffset(groupElement("triple_fault"), groupElement("pending"));
    /** Byte offset of {@code reserved}, reserved, zero. */
    public static final long reserved$OFFSET = $LAYOUT.byteOffset(groupElement("reserved"));
    /**
     * Byte offset of {@code exception_has_payload}, 1 when {@code exception_payload} is valid (with
     * {@code KVM_CAP_EXCEPTION_PAYLOAD}).
     */
    public static final long exception_has_payload$OFFSET = $LAYOUT.byteOffset(groupElement("exception_has_payload"));
    /**
     * Byte offset of {@code exception_payload}, the pending exception's payload: CR2 for a page fault, DR6
     * bits for a debug exception.
     */
    public static final long exception_payload$OFFSET = $LAYOUT.byteOffset(groupElement("exception_payload"));

    /**
     * {@return {@code exception.injected}, 1 when an exception is being injected}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte exception_injected(MemorySegment struct) {
        return struct.get(JAVA_BYTE, exception_injected$OFFSET);
    }

    /**
     * Sets {@code exception.injected}, 1 when an exception is being injected.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_injected(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, exception_injected$OFFSET, value);
    }

    /**
     * {@return {@code exception.nr}, its vector}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte exception_nr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, exception_nr$OFFSET);
    }

    /**
     * Sets {@code exception.nr}, its vector.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_nr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, exception_nr$OFFSET, value);
    }

    /**
     * {@return {@code exception.has_error_code}, 1 when it has an error code}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte exception_has_error_code(MemorySegment struct) {
        return struct.get(JAVA_BYTE, exception_has_error_code$OFFSET);
    }

    /**
     * Sets {@code exception.has_error_code}, 1 when it has an error code.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_has_error_code(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, exception_has_error_code$OFFSET, value);
    }

    /**
     * {@return {@code exception.pending}, 1 when an exception is pending, not yet injected (with
     * {@code KVM_CAP_EXCEPTION_PAYLOAD})}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte exception_pending(MemorySegment struct) {
        return struct.get(JAVA_BYTE, exception_pending$OFFSET);
    }

    /**
     * Sets {@code exception.pending}, 1 when an exception is pending, not yet injected (with
     * {@code KVM_CAP_EXCEPTION_PAYLOAD}).
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_pending(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, exception_pending$OFFSET, value);
    }

    /**
     * {@return {@code exception.error_code}, its error code}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static int exception_error_code(MemorySegment struct) {
        return struct.get(JAVA_INT, exception_error_code$OFFSET);
    }

    /**
     * Sets {@code exception.error_code}, its error code.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_error_code(MemorySegment struct, int value) {
        struct.set(JAVA_INT, exception_error_code$OFFSET, value);
    }

    /**
     * {@return {@code interrupt.injected}, 1 when an external interrupt is being injected}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte interrupt_injected(MemorySegment struct) {
        return struct.get(JAVA_BYTE, interrupt_injected$OFFSET);
    }

    /**
     * Sets {@code interrupt.injected}, 1 when an external interrupt is being injected.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void interrupt_injected(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, interrupt_injected$OFFSET, value);
    }

    /**
     * {@return {@code interrupt.nr}, its vector}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte interrupt_nr(MemorySegment struct) {
        return struct.get(JAVA_BYTE, interrupt_nr$OFFSET);
    }

    /**
     * Sets {@code interrupt.nr}, its vector.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void interrupt_nr(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, interrupt_nr$OFFSET, value);
    }

    /**
     * {@return {@code interrupt.soft}, 1 for a software interrupt (INT n)}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte interrupt_soft(MemorySegment struct) {
        return struct.get(JAVA_BYTE, interrupt_soft$OFFSET);
    }

    /**
     * Sets {@code interrupt.soft}, 1 for a software interrupt (INT n).
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void interrupt_soft(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, interrupt_soft$OFFSET, value);
    }

    /**
     * {@return {@code interrupt.shadow}, the interrupt shadow, {@code KVM_X86_SHADOW_INT_*}: after MOV SS or
     * STI}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte interrupt_shadow(MemorySegment struct) {
        return struct.get(JAVA_BYTE, interrupt_shadow$OFFSET);
    }

    /**
     * Sets {@code interrupt.shadow}, the interrupt shadow, {@code KVM_X86_SHADOW_INT_*}: after MOV SS or STI.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void interrupt_shadow(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, interrupt_shadow$OFFSET, value);
    }

    /**
     * {@return {@code nmi.injected}, 1 when an NMI is being injected}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte nmi_injected(MemorySegment struct) {
        return struct.get(JAVA_BYTE, nmi_injected$OFFSET);
    }

    /**
     * Sets {@code nmi.injected}, 1 when an NMI is being injected.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void nmi_injected(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, nmi_injected$OFFSET, value);
    }

    /**
     * {@return {@code nmi.pending}, 1 when an NMI is pending}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte nmi_pending(MemorySegment struct) {
        return struct.get(JAVA_BYTE, nmi_pending$OFFSET);
    }

    /**
     * Sets {@code nmi.pending}, 1 when an NMI is pending.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void nmi_pending(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, nmi_pending$OFFSET, value);
    }

    /**
     * {@return {@code nmi.masked}, 1 when NMIs are blocked}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte nmi_masked(MemorySegment struct) {
        return struct.get(JAVA_BYTE, nmi_masked$OFFSET);
    }

    /**
     * Sets {@code nmi.masked}, 1 when NMIs are blocked.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void nmi_masked(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, nmi_masked$OFFSET, value);
    }

    /**
     * {@return {@code sipi_vector}, the vector of the last SIPI, taken on set with
     * {@code KVM_VCPUEVENT_VALID_SIPI_VECTOR}}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static int sipi_vector(MemorySegment struct) {
        return struct.get(JAVA_INT, sipi_vector$OFFSET);
    }

    /**
     * Sets {@code sipi_vector}, the vector of the last SIPI, taken on set with
     * {@code KVM_VCPUEVENT_VALID_SIPI_VECTOR}.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void sipi_vector(MemorySegment struct, int value) {
        struct.set(JAVA_INT, sipi_vector$OFFSET, value);
    }

    /**
     * {@return {@code flags}, which optional fields are valid, {@code KVM_VCPUEVENT_VALID_*}}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static int flags(MemorySegment struct) {
        return struct.get(JAVA_INT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, which optional fields are valid, {@code KVM_VCPUEVENT_VALID_*}.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void flags(MemorySegment struct, int value) {
        struct.set(JAVA_INT, flags$OFFSET, value);
    }

    /**
     * {@return {@code smi.smm}, 1 when the vCPU is in system management mode}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte smi_smm(MemorySegment struct) {
        return struct.get(JAVA_BYTE, smi_smm$OFFSET);
    }

    /**
     * Sets {@code smi.smm}, 1 when the vCPU is in system management mode.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void smi_smm(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, smi_smm$OFFSET, value);
    }

    /**
     * {@return {@code smi.pending}, 1 when an SMI is pending}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte smi_pending(MemorySegment struct) {
        return struct.get(JAVA_BYTE, smi_pending$OFFSET);
    }

    /**
     * Sets {@code smi.pending}, 1 when an SMI is pending.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void smi_pending(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, smi_pending$OFFSET, value);
    }

    /**
     * {@return {@code smi.smm_inside_nmi}, 1 when SMM was entered inside an NMI handler}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte smi_smm_inside_nmi(MemorySegment struct) {
        return struct.get(JAVA_BYTE, smi_smm_inside_nmi$OFFSET);
    }

    /**
     * Sets {@code smi.smm_inside_nmi}, 1 when SMM was entered inside an NMI handler.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void smi_smm_inside_nmi(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, smi_smm_inside_nmi$OFFSET, value);
    }

    /**
     * {@return {@code smi.latched_init}, 1 when an INIT arrived in SMM and waits}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte smi_latched_init(MemorySegment struct) {
        return struct.get(JAVA_BYTE, smi_latched_init$OFFSET);
    }

    /**
     * Sets {@code smi.latched_init}, 1 when an INIT arrived in SMM and waits.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void smi_latched_init(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, smi_latched_init$OFFSET, value);
    }

    /**
     * {@return {@code triple_fault.pending}, 1 when a triple fault is pending (with
     * {@code KVM_CAP_X86_TRIPLE_FAULT_EVENT})}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte triple_fault_pending(MemorySegment struct) {
        return struct.get(JAVA_BYTE, triple_fault_pending$OFFSET);
    }

    /**
     * Sets {@code triple_fault.pending}, 1 when a triple fault is pending (with
     * {@code KVM_CAP_X86_TRIPLE_FAULT_EVENT}).
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void triple_fault_pending(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, triple_fault_pending$OFFSET, value);
    }

    /**
     * {@return {@code exception_has_payload}, 1 when {@code exception_payload} is valid (with
     * {@code KVM_CAP_EXCEPTION_PAYLOAD})}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static byte exception_has_payload(MemorySegment struct) {
        return struct.get(JAVA_BYTE, exception_has_payload$OFFSET);
    }

    /**
     * Sets {@code exception_has_payload}, 1 when {@code exception_payload} is valid (with
     * {@code KVM_CAP_EXCEPTION_PAYLOAD}).
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_has_payload(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, exception_has_payload$OFFSET, value);
    }

    /**
     * {@return {@code exception_payload}, the pending exception's payload: CR2 for a page fault, DR6 bits for
     * a debug exception}
     *
     * @param struct a {@code struct kvm_vcpu_events}
     */
    public static long exception_payload(MemorySegment struct) {
        return struct.get(JAVA_LONG, exception_payload$OFFSET);
    }

    /**
     * Sets {@code exception_payload}, the pending exception's payload: CR2 for a page fault, DR6 bits for a
     * debug exception.
     *
     * @param struct a {@code struct kvm_vcpu_events}
     * @param value the new value
     */
    public static void exception_payload(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, exception_payload$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_vcpu_events)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_vcpu_events}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
