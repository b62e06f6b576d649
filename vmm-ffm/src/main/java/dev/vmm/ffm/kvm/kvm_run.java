// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct kvm_run {
 *     __u8 request_interrupt_window;
 *     __u8 immediate_exit;
 *     __u8 padding1[6];
 *     __u32 exit_reason;
 *     __u8 ready_for_interrupt_injection;
 *     __u8 if_flag;
 *     __u16 flags;
 *     __u64 cr8;
 *     __u64 apic_base;
 *     union {
 *         struct { __u64 hardware_exit_reason; } hw;
 *         struct { __u64 hardware_entry_failure_reason; __u32 cpu; } fail_entry;
 *         struct { __u8 direction; __u8 size; __u16 port; __u32 count; __u64 data_offset; } io;
 *         struct { __u64 phys_addr; __u8 data[8]; __u32 len; __u8 is_write; } mmio;
 *         struct { __u32 suberror; __u32 ndata; __u64 data[16]; } internal;
 *         struct { __u32 type; __u32 ndata; union { __u64 flags; __u64 data[16]; }; } system_event;
 *         struct { __u64 flags; __u64 gpa; __u64 size; } memory_fault;
 *         // ... the exits of other architectures and features
 *         char padding[256];
 *     };
 *     __u64 kvm_valid_regs;
 *     __u64 kvm_dirty_regs;
 *     union {
 *         struct kvm_sync_regs regs;
 *         char padding[SYNC_REGS_SIZE_BYTES];
 *     } s;
 * };
 * }
 * The vCPU's shared run area, mapped from the vCPU fd with {@code mmap(..., KVM_GET_VCPU_MMAP_SIZE, ...)}:
 * {@code exit_reason} tells which member of the exit union {@code KVM_RUN} filled in. Only the
 * exits an x86 VMM handles are modeled; fields of the exit union are named {@code <member>_<field>}.
 * For {@code KVM_EXIT_IO} the data is at {@code io_data_offset} from the start of this struct, in
 * the same mapping, not inside the struct.
 */
public final class kvm_run {
    private kvm_run() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("request_interrupt_window"),
            JAVA_BYTE.withName("immediate_exit"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("padding1"),
            JAVA_INT.withName("exit_reason"),
            JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"),
            JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("hardware_exit_reason")
                    ).withName("hw"),
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("hardware_entry_failure_reason"),
                            JAVA_INT.withName("cpu"),
                            MemoryLayout.paddingLayout(4)
                    ).withName("fail_entry"),
                    MemoryLayout.structLayout(
                            JAVA_BYTE.withName("direction"),
                            JAVA_BYTE.withName("size"),
                            JAVA_SHORT.withName("port"),
                            JAVA_INT.withName("count"),
                            JAVA_LONG.withName("data_offset")
                    ).withName("io"),
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("phys_addr"),
                            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("data"),
                            JAVA_INT.withName("len"),
                            JAVA_BYTE.withName("is_write"),
                            MemoryLayout.paddingLayout(3)
                    ).withName("mmio"),
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("suberror"),
                            JAVA_INT.withName("ndata"),
                            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data")
                    ).withName("internal"),
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("type"),
                            JAVA_INT.withName("ndata"),
                            MemoryLayout.unionLayout(
                                    JAVA_LONG.withName("flags"),
                                    MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data"))
                    ).withName("system_event"),
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("flags"),
                            JAVA_LONG.withName("gpa"),
                            JAVA_LONG.withName("size")
                    ).withName("memory_fault"),
                    MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("padding")),
            JAVA_LONG.withName("kvm_valid_regs"),
            JAVA_LONG.withName("kvm_dirty_regs"),
            MemoryLayout.unionLayout(
                    MemoryLayout.sequenceLayout(2048, JAVA_BYTE).withName("padding")
            ).withName("s")
    ).withName("kvm_run");

    /** {@return the layout of {@code struct kvm_run}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    // C's exit union and system_event's inner union are anonymous: reach them by member index.
    private static final PathElement EXIT = groupElement(9);
    private static final PathElement SYSTEM_EVENT_UNION = groupElement(2);

    /**
     * Byte offset of {@code request_interrupt_window}, the request, set by user space, that {@code KVM_RUN}
     * return with {@code KVM_EXIT_IRQ_WINDOW_OPEN} as soon as the guest can take an injected interrupt.
     */
    public static final long request_interrupt_window$OFFSET = $LAYOUT.byteOffset(groupElement("request_interrupt_window"));
    /**
     * Byte offset of {@code immediate_exit}, the request, set by user space, that {@code KVM_RUN} return at
     * once with EINTR instead of entering the guest ({@code KVM_CAP_IMMEDIATE_EXIT}).
     */
    public static final long immediate_exit$OFFSET = $LAYOUT.byteOffset(groupElement("immediate_exit"));
    /** Byte offset of {@code padding1}, padding. */
    public static final long padding1$OFFSET = $LAYOUT.byteOffset(groupElement("padding1"));
    /**
     * Byte offset of {@code exit_reason}, why {@code KVM_RUN} returned: a {@code KVM_EXIT_*} constant, which
     * also says which member of the exit union is valid.
     */
    public static final long exit_reason$OFFSET = $LAYOUT.byteOffset(groupElement("exit_reason"));
    /**
     * Byte offset of {@code ready_for_interrupt_injection}, 1 when the guest can take an interrupt injected
     * now, set at every exit.
     */
    public static final long ready_for_interrupt_injection$OFFSET = $LAYOUT.byteOffset(groupElement("ready_for_interrupt_injection"));
    /** Byte offset of {@code if_flag}, the guest's RFLAGS.IF at the exit. */
    public static final long if_flag$OFFSET = $LAYOUT.byteOffset(groupElement("if_flag"));
    /**
     * Byte offset of {@code flags}, the exit's {@code KVM_RUN_X86_*} bits (in system management mode, bus
     * lock, in guest mode).
     */
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    /**
     * Byte offset of {@code cr8}, the guest's CR8 (task priority), in and out; meaningful without an
     * in-kernel local APIC.
     */
    public static final long cr8$OFFSET = $LAYOUT.byteOffset(groupElement("cr8"));
    /**
     * Byte offset of {@code apic_base}, the guest's APIC base MSR, in and out; meaningful without an
     * in-kernel local APIC.
     */
    public static final long apic_base$OFFSET = $LAYOUT.byteOffset(groupElement("apic_base"));
    /**
     * Byte offset of {@code hw.hardware_exit_reason}, the hardware's exit reason (VMX exit reason or SVM exit
     * code), for {@code KVM_EXIT_UNKNOWN}.
     */
    public static final long hw_hardware_exit_reason$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("hw"), groupElement("hardware_exit_reason"));
    /**
     * Byte offset of {@code fail_entry.hardware_entry_failure_reason}, the hardware's reason why VM entry
     * failed, for {@code KVM_EXIT_FAIL_ENTRY}.
     */
    public static final long fail_entry_hardware_entry_failure_reason$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("fail_entry"), groupElement("hardware_entry_failure_reason"));
    /**
     * Byte offset of {@code fail_entry.cpu}, the host CPU on which VM entry failed, for
     * {@code KVM_EXIT_FAIL_ENTRY}.
     */
    public static final long fail_entry_cpu$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("fail_entry"), groupElement("cpu"));
    /**
     * Byte offset of {@code io.direction}, {@code KVM_EXIT_IO_IN} or {@code KVM_EXIT_IO_OUT}, for
     * {@code KVM_EXIT_IO}.
     */
    public static final long io_direction$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("direction"));
    /**
     * Byte offset of {@code io.size}, the width of one access in bytes (1, 2 or 4), for {@code KVM_EXIT_IO}.
     */
    public static final long io_size$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("size"));
    /** Byte offset of {@code io.port}, the I/O port accessed (unsigned), for {@code KVM_EXIT_IO}. */
    public static final long io_port$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("port"));
    /**
     * Byte offset of {@code io.count}, the number of accesses of {@code io.size} bytes (more than 1 for a REP
     * string instruction), for {@code KVM_EXIT_IO}.
     */
    public static final long io_count$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("count"));
    /**
     * Byte offset of {@code io.data_offset}, where the data is, in bytes from the start of the run area (past
     * this struct, in the same mapping), for {@code KVM_EXIT_IO}.
     */
    public static final long io_data_offset$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("data_offset"));
    /**
     * Byte offset of {@code mmio.phys_addr}, the guest-physical address accessed, for {@code KVM_EXIT_MMIO}.
     */
    public static final long mmio_phys_addr$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("phys_addr"));
    /**
     * Byte offset of {@code mmio.data}, the 8 data bytes: what the guest wrote, or where user space puts what
     * a read returns, for {@code KVM_EXIT_MMIO}.
     */
    public static final long mmio_data$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("data"));
    /**
     * Byte offset of {@code mmio.len}, the width of the access in bytes (1 to 8), for {@code KVM_EXIT_MMIO}.
     */
    public static final long mmio_len$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("len"));
    /**
     * Byte offset of {@code mmio.is_write}, 1 when the guest wrote, 0 when it read, for
     * {@code KVM_EXIT_MMIO}.
     */
    public static final long mmio_is_write$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("is_write"));
    /**
     * Byte offset of {@code internal.suberror}, a {@code KVM_INTERNAL_ERROR_*} code, for
     * {@code KVM_EXIT_INTERNAL_ERROR}.
     */
    public static final long internal_suberror$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("internal"), groupElement("suberror"));
    /**
     * Byte offset of {@code internal.ndata}, how many words of {@code internal.data} are valid, for
     * {@code KVM_EXIT_INTERNAL_ERROR}.
     */
    public static final long internal_ndata$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("internal"), groupElement("ndata"));
    /**
     * Byte offset of {@code internal.data}, sixteen words of diagnostic data, for
     * {@code KVM_EXIT_INTERNAL_ERROR}.
     */
    public static final long internal_data$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("internal"), groupElement("data"));
    /**
     * Byte offset of {@code system_event.type}, a {@code KVM_SYSTEM_EVENT_*} code (shutdown, reset, crash,
     * ...), for {@code KVM_EXIT_SYSTEM_EVENT}.
     */
    public static final long system_event_type$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), groupElement("type"));
    /**
     * Byte offset of {@code system_event.ndata}, how many words of {@code system_event.data} are valid, for
     * {@code KVM_EXIT_SYSTEM_EVENT} ({@code KVM_CAP_SYSTEM_EVENT_DATA}).
     */
    public static final long system_event_ndata$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), groupElement("ndata"));
    /**
     * Byte offset of {@code system_event.flags}, the event's flags, the same word as
     * {@code system_event.data[0]} (what kernels without {@code KVM_CAP_SYSTEM_EVENT_DATA} fill in).
     */
    public static final long system_event_flags$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), SYSTEM_EVENT_UNION, groupElement("flags"));
    /**
     * Byte offset of {@code system_event.data}, sixteen words of architecture-specific event data, for
     * {@code KVM_EXIT_SYSTEM_EVENT}.
     */
    public static final long system_event_data$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), SYSTEM_EVENT_UNION, groupElement("data"));
    /**
     * Byte offset of {@code memory_fault.flags}, {@code KVM_MEMORY_EXIT_FLAG_*} bits (such as a fault on
     * private memory), for {@code KVM_EXIT_MEMORY_FAULT}.
     */
    public static final long memory_fault_flags$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("memory_fault"), groupElement("flags"));
    /**
     * Byte offset of {@code memory_fault.gpa}, the guest-physical start of the range that faulted, for
     * {@code KVM_EXIT_MEMORY_FAULT}.
     */
    public static final long memory_fault_gpa$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("memory_fault"), groupElement("gpa"));
    /**
     * Byte offset of {@code memory_fault.size}, the length in bytes of the range that faulted, for
     * {@code KVM_EXIT_MEMORY_FAULT}.
     */
    public static final long memory_fault_size$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("memory_fault"), groupElement("size"));
    /** Byte offset of {@code padding}, the exit union's 256 bytes of padding, which fix its size. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("padding"));
    /**
     * Byte offset of {@code kvm_valid_regs}, the {@code KVM_SYNC_X86_*} register sets KVM stored in {@code s}
     * at the exit ({@code KVM_CAP_SYNC_REGS}).
     */
    public static final long kvm_valid_regs$OFFSET = $LAYOUT.byteOffset(groupElement("kvm_valid_regs"));
    /**
     * Byte offset of {@code kvm_dirty_regs}, the {@code KVM_SYNC_X86_*} register sets user space changed in
     * {@code s}, for KVM to load at the next {@code KVM_RUN}.
     */
    public static final long kvm_dirty_regs$OFFSET = $LAYOUT.byteOffset(groupElement("kvm_dirty_regs"));
    /**
     * Byte offset of {@code s}, the union of synchronized registers ({@code struct kvm_sync_regs}, padded to
     * 2048 bytes).
     */
    public static final long s$OFFSET = $LAYOUT.byteOffset(groupElement("s"));

    private static final SequenceLayout mmio_data$LAYOUT = (SequenceLayout) $LAYOUT.select(EXIT, groupElement("mmio"), groupElement("data"));
    private static final SequenceLayout internal_data$LAYOUT = (SequenceLayout) $LAYOUT.select(EXIT, groupElement("internal"), groupElement("data"));
    private static final SequenceLayout system_event_data$LAYOUT = (SequenceLayout) $LAYOUT.select(EXIT, groupElement("system_event"), SYSTEM_EVENT_UNION, groupElement("data"));
    private static final GroupLayout s$LAYOUT = (GroupLayout) $LAYOUT.select(groupElement("s"));

    /**
     * {@return {@code request_interrupt_window}, the request, set by user space, that {@code KVM_RUN} return
     * with {@code KVM_EXIT_IRQ_WINDOW_OPEN} as soon as the guest can take an injected interrupt}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte request_interrupt_window(MemorySegment struct) {
        return struct.get(JAVA_BYTE, request_interrupt_window$OFFSET);
    }

    /**
     * Sets {@code request_interrupt_window}, the request, set by user space, that {@code KVM_RUN} return with
     * {@code KVM_EXIT_IRQ_WINDOW_OPEN} as soon as the guest can take an injected interrupt.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void request_interrupt_window(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, request_interrupt_window$OFFSET, value);
    }

    /**
     * {@return {@code immediate_exit}, the request, set by user space, that {@code KVM_RUN} return at once
     * with EINTR instead of entering the guest ({@code KVM_CAP_IMMEDIATE_EXIT})}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte immediate_exit(MemorySegment struct) {
        return struct.get(JAVA_BYTE, immediate_exit$OFFSET);
    }

    /**
     * Sets {@code immediate_exit}, the request, set by user space, that {@code KVM_RUN} return at once with
     * EINTR instead of entering the guest ({@code KVM_CAP_IMMEDIATE_EXIT}).
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void immediate_exit(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, immediate_exit$OFFSET, value);
    }

    /**
     * {@return {@code exit_reason}, why {@code KVM_RUN} returned: a {@code KVM_EXIT_*} constant, which also
     * says which member of the exit union is valid}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int exit_reason(MemorySegment struct) {
        return struct.get(JAVA_INT, exit_reason$OFFSET);
    }

    /**
     * Sets {@code exit_reason}, why {@code KVM_RUN} returned: a {@code KVM_EXIT_*} constant, which also says
     * which member of the exit union is valid.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void exit_reason(MemorySegment struct, int value) {
        struct.set(JAVA_INT, exit_reason$OFFSET, value);
    }

    /**
     * {@return {@code ready_for_interrupt_injection}, 1 when the guest can take an interrupt injected now,
     * set at every exit}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte ready_for_interrupt_injection(MemorySegment struct) {
        return struct.get(JAVA_BYTE, ready_for_interrupt_injection$OFFSET);
    }

    /**
     * Sets {@code ready_for_interrupt_injection}, 1 when the guest can take an interrupt injected now, set at
     * every exit.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void ready_for_interrupt_injection(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, ready_for_interrupt_injection$OFFSET, value);
    }

    /**
     * {@return {@code if_flag}, the guest's RFLAGS.IF at the exit}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte if_flag(MemorySegment struct) {
        return struct.get(JAVA_BYTE, if_flag$OFFSET);
    }

    /**
     * Sets {@code if_flag}, the guest's RFLAGS.IF at the exit.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void if_flag(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, if_flag$OFFSET, value);
    }

    /**
     * {@return {@code flags}, the exit's {@code KVM_RUN_X86_*} bits (in system management mode, bus lock, in
     * guest mode)}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static short flags(MemorySegment struct) {
        return struct.get(JAVA_SHORT, flags$OFFSET);
    }

    /**
     * Sets {@code flags}, the exit's {@code KVM_RUN_X86_*} bits (in system management mode, bus lock, in
     * guest mode).
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void flags(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, flags$OFFSET, value);
    }

    /**
     * {@return {@code cr8}, the guest's CR8 (task priority), in and out; meaningful without an in-kernel
     * local APIC}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long cr8(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr8$OFFSET);
    }

    /**
     * Sets {@code cr8}, the guest's CR8 (task priority), in and out; meaningful without an in-kernel local
     * APIC.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void cr8(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr8$OFFSET, value);
    }

    /**
     * {@return {@code apic_base}, the guest's APIC base MSR, in and out; meaningful without an in-kernel
     * local APIC}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long apic_base(MemorySegment struct) {
        return struct.get(JAVA_LONG, apic_base$OFFSET);
    }

    /**
     * Sets {@code apic_base}, the guest's APIC base MSR, in and out; meaningful without an in-kernel local
     * APIC.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void apic_base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, apic_base$OFFSET, value);
    }

    /**
     * {@return {@code hw.hardware_exit_reason}, the hardware's exit reason (VMX exit reason or SVM exit
     * code), for {@code KVM_EXIT_UNKNOWN}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long hw_hardware_exit_reason(MemorySegment struct) {
        return struct.get(JAVA_LONG, hw_hardware_exit_reason$OFFSET);
    }

    /**
     * Sets {@code hw.hardware_exit_reason}, the hardware's exit reason (VMX exit reason or SVM exit code),
     * for {@code KVM_EXIT_UNKNOWN}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void hw_hardware_exit_reason(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, hw_hardware_exit_reason$OFFSET, value);
    }

    /**
     * {@return {@code fail_entry.hardware_entry_failure_reason}, the hardware's reason why VM entry failed,
     * for {@code KVM_EXIT_FAIL_ENTRY}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long fail_entry_hardware_entry_failure_reason(MemorySegment struct) {
        return struct.get(JAVA_LONG, fail_entry_hardware_entry_failure_reason$OFFSET);
    }

    /**
     * Sets {@code fail_entry.hardware_entry_failure_reason}, the hardware's reason why VM entry failed, for
     * {@code KVM_EXIT_FAIL_ENTRY}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void fail_entry_hardware_entry_failure_reason(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, fail_entry_hardware_entry_failure_reason$OFFSET, value);
    }

    /**
     * {@return {@code fail_entry.cpu}, the host CPU on which VM entry failed, for
     * {@code KVM_EXIT_FAIL_ENTRY}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int fail_entry_cpu(MemorySegment struct) {
        return struct.get(JAVA_INT, fail_entry_cpu$OFFSET);
    }

    /**
     * Sets {@code fail_entry.cpu}, the host CPU on which VM entry failed, for {@code KVM_EXIT_FAIL_ENTRY}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void fail_entry_cpu(MemorySegment struct, int value) {
        struct.set(JAVA_INT, fail_entry_cpu$OFFSET, value);
    }

    /**
     * {@return {@code io.direction}, {@code KVM_EXIT_IO_IN} or {@code KVM_EXIT_IO_OUT}, for
     * {@code KVM_EXIT_IO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte io_direction(MemorySegment struct) {
        return struct.get(JAVA_BYTE, io_direction$OFFSET);
    }

    /**
     * Sets {@code io.direction}, {@code KVM_EXIT_IO_IN} or {@code KVM_EXIT_IO_OUT}, for {@code KVM_EXIT_IO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void io_direction(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, io_direction$OFFSET, value);
    }

    /**
     * {@return {@code io.size}, the width of one access in bytes (1, 2 or 4), for {@code KVM_EXIT_IO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte io_size(MemorySegment struct) {
        return struct.get(JAVA_BYTE, io_size$OFFSET);
    }

    /**
     * Sets {@code io.size}, the width of one access in bytes (1, 2 or 4), for {@code KVM_EXIT_IO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void io_size(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, io_size$OFFSET, value);
    }

    /**
     * {@return {@code io.port}, the I/O port accessed (unsigned), for {@code KVM_EXIT_IO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static short io_port(MemorySegment struct) {
        return struct.get(JAVA_SHORT, io_port$OFFSET);
    }

    /**
     * Sets {@code io.port}, the I/O port accessed (unsigned), for {@code KVM_EXIT_IO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void io_port(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, io_port$OFFSET, value);
    }

    /**
     * {@return {@code io.count}, the number of accesses of {@code io.size} bytes (more than 1 for a REP
     * string instruction), for {@code KVM_EXIT_IO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int io_count(MemorySegment struct) {
        return struct.get(JAVA_INT, io_count$OFFSET);
    }

    /**
     * Sets {@code io.count}, the number of accesses of {@code io.size} bytes (more than 1 for a REP string
     * instruction), for {@code KVM_EXIT_IO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void io_count(MemorySegment struct, int value) {
        struct.set(JAVA_INT, io_count$OFFSET, value);
    }

    /**
     * {@return {@code io.data_offset}, where the data is, in bytes from the start of the run area (past this
     * struct, in the same mapping), for {@code KVM_EXIT_IO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long io_data_offset(MemorySegment struct) {
        return struct.get(JAVA_LONG, io_data_offset$OFFSET);
    }

    /**
     * Sets {@code io.data_offset}, where the data is, in bytes from the start of the run area (past this
     * struct, in the same mapping), for {@code KVM_EXIT_IO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void io_data_offset(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, io_data_offset$OFFSET, value);
    }

    /**
     * {@return {@code mmio.phys_addr}, the guest-physical address accessed, for {@code KVM_EXIT_MMIO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long mmio_phys_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, mmio_phys_addr$OFFSET);
    }

    /**
     * Sets {@code mmio.phys_addr}, the guest-physical address accessed, for {@code KVM_EXIT_MMIO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void mmio_phys_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, mmio_phys_addr$OFFSET, value);
    }

    /**
     * {@return {@code mmio.data}, the 8 data bytes: what the guest wrote, or where user space puts what a
     * read returns, for {@code KVM_EXIT_MMIO}, as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static MemorySegment mmio_data(MemorySegment struct) {
        return struct.asSlice(mmio_data$OFFSET, mmio_data$LAYOUT.byteSize());
    }

    /**
     * {@return {@code mmio.len}, the width of the access in bytes (1 to 8), for {@code KVM_EXIT_MMIO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int mmio_len(MemorySegment struct) {
        return struct.get(JAVA_INT, mmio_len$OFFSET);
    }

    /**
     * Sets {@code mmio.len}, the width of the access in bytes (1 to 8), for {@code KVM_EXIT_MMIO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void mmio_len(MemorySegment struct, int value) {
        struct.set(JAVA_INT, mmio_len$OFFSET, value);
    }

    /**
     * {@return {@code mmio.is_write}, 1 when the guest wrote, 0 when it read, for {@code KVM_EXIT_MMIO}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static byte mmio_is_write(MemorySegment struct) {
        return struct.get(JAVA_BYTE, mmio_is_write$OFFSET);
    }

    /**
     * Sets {@code mmio.is_write}, 1 when the guest wrote, 0 when it read, for {@code KVM_EXIT_MMIO}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void mmio_is_write(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, mmio_is_write$OFFSET, value);
    }

    /**
     * {@return {@code internal.suberror}, a {@code KVM_INTERNAL_ERROR_*} code, for
     * {@code KVM_EXIT_INTERNAL_ERROR}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int internal_suberror(MemorySegment struct) {
        return struct.get(JAVA_INT, internal_suberror$OFFSET);
    }

    /**
     * Sets {@code internal.suberror}, a {@code KVM_INTERNAL_ERROR_*} code, for
     * {@code KVM_EXIT_INTERNAL_ERROR}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void internal_suberror(MemorySegment struct, int value) {
        struct.set(JAVA_INT, internal_suberror$OFFSET, value);
    }

    /**
     * {@return {@code internal.ndata}, how many words of {@code internal.data} are valid, for
     * {@code KVM_EXIT_INTERNAL_ERROR}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int internal_ndata(MemorySegment struct) {
        return struct.get(JAVA_INT, internal_ndata$OFFSET);
    }

    /**
     * Sets {@code internal.ndata}, how many words of {@code internal.data} are valid, for
     * {@code KVM_EXIT_INTERNAL_ERROR}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void internal_ndata(MemorySegment struct, int value) {
        struct.set(JAVA_INT, internal_ndata$OFFSET, value);
    }

    /**
     * {@return {@code internal.data}, sixteen words of diagnostic data, for {@code KVM_EXIT_INTERNAL_ERROR},
     * as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static MemorySegment internal_data(MemorySegment struct) {
        return struct.asSlice(internal_data$OFFSET, internal_data$LAYOUT.byteSize());
    }

    /**
     * {@return {@code system_event.type}, a {@code KVM_SYSTEM_EVENT_*} code (shutdown, reset, crash, ...),
     * for {@code KVM_EXIT_SYSTEM_EVENT}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int system_event_type(MemorySegment struct) {
        return struct.get(JAVA_INT, system_event_type$OFFSET);
    }

    /**
     * Sets {@code system_event.type}, a {@code KVM_SYSTEM_EVENT_*} code (shutdown, reset, crash, ...), for
     * {@code KVM_EXIT_SYSTEM_EVENT}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void system_event_type(MemorySegment struct, int value) {
        struct.set(JAVA_INT, system_event_type$OFFSET, value);
    }

    /**
     * {@return {@code system_event.ndata}, how many words of {@code system_event.data} are valid, for
     * {@code KVM_EXIT_SYSTEM_EVENT} ({@code KVM_CAP_SYSTEM_EVENT_DATA})}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static int system_event_ndata(MemorySegment struct) {
        return struct.get(JAVA_INT, system_event_ndata$OFFSET);
    }

    /**
     * Sets {@code system_event.ndata}, how many words of {@code system_event.data} are valid, for
     * {@code KVM_EXIT_SYSTEM_EVENT} ({@code KVM_CAP_SYSTEM_EVENT_DATA}).
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void system_event_ndata(MemorySegment struct, int value) {
        struct.set(JAVA_INT, system_event_ndata$OFFSET, value);
    }

    /**
     * {@return {@code system_event.flags}, the event's flags, the same word as {@code system_event.data[0]}
     * (what kernels without {@code KVM_CAP_SYSTEM_EVENT_DATA} fill in)}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long system_event_flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, system_event_flags$OFFSET);
    }

    /**
     * Sets {@code system_event.flags}, the event's flags, the same word as {@code system_event.data[0]} (what
     * kernels without {@code KVM_CAP_SYSTEM_EVENT_DATA} fill in).
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void system_event_flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, system_event_flags$OFFSET, value);
    }

    /**
     * {@return {@code system_event.data}, sixteen words of architecture-specific event data, for
     * {@code KVM_EXIT_SYSTEM_EVENT}, as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static MemorySegment system_event_data(MemorySegment struct) {
        return struct.asSlice(system_event_data$OFFSET, system_event_data$LAYOUT.byteSize());
    }

    /**
     * {@return {@code memory_fault.flags}, {@code KVM_MEMORY_EXIT_FLAG_*} bits (such as a fault on private
     * memory), for {@code KVM_EXIT_MEMORY_FAULT}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long memory_fault_flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_fault_flags$OFFSET);
    }

    /**
     * Sets {@code memory_fault.flags}, {@code KVM_MEMORY_EXIT_FLAG_*} bits (such as a fault on private
     * memory), for {@code KVM_EXIT_MEMORY_FAULT}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void memory_fault_flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_fault_flags$OFFSET, value);
    }

    /**
     * {@return {@code memory_fault.gpa}, the guest-physical start of the range that faulted, for
     * {@code KVM_EXIT_MEMORY_FAULT}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long memory_fault_gpa(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_fault_gpa$OFFSET);
    }

    /**
     * Sets {@code memory_fault.gpa}, the guest-physical start of the range that faulted, for
     * {@code KVM_EXIT_MEMORY_FAULT}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void memory_fault_gpa(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_fault_gpa$OFFSET, value);
    }

    /**
     * {@return {@code memory_fault.size}, the length in bytes of the range that faulted, for
     * {@code KVM_EXIT_MEMORY_FAULT}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long memory_fault_size(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_fault_size$OFFSET);
    }

    /**
     * Sets {@code memory_fault.size}, the length in bytes of the range that faulted, for
     * {@code KVM_EXIT_MEMORY_FAULT}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void memory_fault_size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_fault_size$OFFSET, value);
    }

    /**
     * {@return {@code kvm_valid_regs}, the {@code KVM_SYNC_X86_*} register sets KVM stored in {@code s} at
     * the exit ({@code KVM_CAP_SYNC_REGS})}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long kvm_valid_regs(MemorySegment struct) {
        return struct.get(JAVA_LONG, kvm_valid_regs$OFFSET);
    }

    /**
     * Sets {@code kvm_valid_regs}, the {@code KVM_SYNC_X86_*} register sets KVM stored in {@code s} at the
     * exit ({@code KVM_CAP_SYNC_REGS}).
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void kvm_valid_regs(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, kvm_valid_regs$OFFSET, value);
    }

    /**
     * {@return {@code kvm_dirty_regs}, the {@code KVM_SYNC_X86_*} register sets user space changed in
     * {@code s}, for KVM to load at the next {@code KVM_RUN}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static long kvm_dirty_regs(MemorySegment struct) {
        return struct.get(JAVA_LONG, kvm_dirty_regs$OFFSET);
    }

    /**
     * Sets {@code kvm_dirty_regs}, the {@code KVM_SYNC_X86_*} register sets user space changed in {@code s},
     * for KVM to load at the next {@code KVM_RUN}.
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     * @param value the new value
     */
    public static void kvm_dirty_regs(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, kvm_dirty_regs$OFFSET, value);
    }

    /**
     * {@return {@code s}, the union of synchronized registers ({@code struct kvm_sync_regs}, padded to 2048
     * bytes), as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_run}, normally the vCPU's mapped run area
     */
    public static MemorySegment s(MemorySegment struct) {
        return struct.asSlice(s$OFFSET, s$LAYOUT.byteSize());
    }

    /** {@return {@code sizeof(struct kvm_run)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_run}.
     * A real vCPU's run area is not allocated: it is mapped from the vCPU fd.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
