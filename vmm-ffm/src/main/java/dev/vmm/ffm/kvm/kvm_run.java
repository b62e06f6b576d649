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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    // C's exit union and system_event's inner union are anonymous: reach them by member index.
    private static final PathElement EXIT = groupElement(9);
    private static final PathElement SYSTEM_EVENT_UNION = groupElement(2);

    public static final long request_interrupt_window$OFFSET = $LAYOUT.byteOffset(groupElement("request_interrupt_window"));
    public static final long immediate_exit$OFFSET = $LAYOUT.byteOffset(groupElement("immediate_exit"));
    public static final long padding1$OFFSET = $LAYOUT.byteOffset(groupElement("padding1"));
    public static final long exit_reason$OFFSET = $LAYOUT.byteOffset(groupElement("exit_reason"));
    public static final long ready_for_interrupt_injection$OFFSET = $LAYOUT.byteOffset(groupElement("ready_for_interrupt_injection"));
    public static final long if_flag$OFFSET = $LAYOUT.byteOffset(groupElement("if_flag"));
    public static final long flags$OFFSET = $LAYOUT.byteOffset(groupElement("flags"));
    public static final long cr8$OFFSET = $LAYOUT.byteOffset(groupElement("cr8"));
    public static final long apic_base$OFFSET = $LAYOUT.byteOffset(groupElement("apic_base"));
    public static final long hw_hardware_exit_reason$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("hw"), groupElement("hardware_exit_reason"));
    public static final long fail_entry_hardware_entry_failure_reason$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("fail_entry"), groupElement("hardware_entry_failure_reason"));
    public static final long fail_entry_cpu$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("fail_entry"), groupElement("cpu"));
    public static final long io_direction$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("direction"));
    public static final long io_size$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("size"));
    public static final long io_port$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("port"));
    public static final long io_count$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("count"));
    public static final long io_data_offset$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("io"), groupElement("data_offset"));
    public static final long mmio_phys_addr$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("phys_addr"));
    public static final long mmio_data$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("data"));
    public static final long mmio_len$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("len"));
    public static final long mmio_is_write$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("mmio"), groupElement("is_write"));
    public static final long internal_suberror$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("internal"), groupElement("suberror"));
    public static final long internal_ndata$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("internal"), groupElement("ndata"));
    public static final long internal_data$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("internal"), groupElement("data"));
    public static final long system_event_type$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), groupElement("type"));
    public static final long system_event_ndata$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), groupElement("ndata"));
    public static final long system_event_flags$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), SYSTEM_EVENT_UNION, groupElement("flags"));
    public static final long system_event_data$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("system_event"), SYSTEM_EVENT_UNION, groupElement("data"));
    public static final long memory_fault_flags$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("memory_fault"), groupElement("flags"));
    public static final long memory_fault_gpa$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("memory_fault"), groupElement("gpa"));
    public static final long memory_fault_size$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("memory_fault"), groupElement("size"));
    public static final long padding$OFFSET = $LAYOUT.byteOffset(EXIT, groupElement("padding"));
    public static final long kvm_valid_regs$OFFSET = $LAYOUT.byteOffset(groupElement("kvm_valid_regs"));
    public static final long kvm_dirty_regs$OFFSET = $LAYOUT.byteOffset(groupElement("kvm_dirty_regs"));
    public static final long s$OFFSET = $LAYOUT.byteOffset(groupElement("s"));

    private static final SequenceLayout mmio_data$LAYOUT = (SequenceLayout) $LAYOUT.select(EXIT, groupElement("mmio"), groupElement("data"));
    private static final SequenceLayout internal_data$LAYOUT = (SequenceLayout) $LAYOUT.select(EXIT, groupElement("internal"), groupElement("data"));
    private static final SequenceLayout system_event_data$LAYOUT = (SequenceLayout) $LAYOUT.select(EXIT, groupElement("system_event"), SYSTEM_EVENT_UNION, groupElement("data"));
    private static final GroupLayout s$LAYOUT = (GroupLayout) $LAYOUT.select(groupElement("s"));

    public static byte request_interrupt_window(MemorySegment struct) {
        return struct.get(JAVA_BYTE, request_interrupt_window$OFFSET);
    }

    public static void request_interrupt_window(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, request_interrupt_window$OFFSET, value);
    }

    public static byte immediate_exit(MemorySegment struct) {
        return struct.get(JAVA_BYTE, immediate_exit$OFFSET);
    }

    public static void immediate_exit(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, immediate_exit$OFFSET, value);
    }

    public static int exit_reason(MemorySegment struct) {
        return struct.get(JAVA_INT, exit_reason$OFFSET);
    }

    public static void exit_reason(MemorySegment struct, int value) {
        struct.set(JAVA_INT, exit_reason$OFFSET, value);
    }

    public static byte ready_for_interrupt_injection(MemorySegment struct) {
        return struct.get(JAVA_BYTE, ready_for_interrupt_injection$OFFSET);
    }

    public static void ready_for_interrupt_injection(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, ready_for_interrupt_injection$OFFSET, value);
    }

    public static byte if_flag(MemorySegment struct) {
        return struct.get(JAVA_BYTE, if_flag$OFFSET);
    }

    public static void if_flag(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, if_flag$OFFSET, value);
    }

    public static short flags(MemorySegment struct) {
        return struct.get(JAVA_SHORT, flags$OFFSET);
    }

    public static void flags(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, flags$OFFSET, value);
    }

    public static long cr8(MemorySegment struct) {
        return struct.get(JAVA_LONG, cr8$OFFSET);
    }

    public static void cr8(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, cr8$OFFSET, value);
    }

    public static long apic_base(MemorySegment struct) {
        return struct.get(JAVA_LONG, apic_base$OFFSET);
    }

    public static void apic_base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, apic_base$OFFSET, value);
    }

    public static long hw_hardware_exit_reason(MemorySegment struct) {
        return struct.get(JAVA_LONG, hw_hardware_exit_reason$OFFSET);
    }

    public static void hw_hardware_exit_reason(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, hw_hardware_exit_reason$OFFSET, value);
    }

    public static long fail_entry_hardware_entry_failure_reason(MemorySegment struct) {
        return struct.get(JAVA_LONG, fail_entry_hardware_entry_failure_reason$OFFSET);
    }

    public static void fail_entry_hardware_entry_failure_reason(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, fail_entry_hardware_entry_failure_reason$OFFSET, value);
    }

    public static int fail_entry_cpu(MemorySegment struct) {
        return struct.get(JAVA_INT, fail_entry_cpu$OFFSET);
    }

    public static void fail_entry_cpu(MemorySegment struct, int value) {
        struct.set(JAVA_INT, fail_entry_cpu$OFFSET, value);
    }

    public static byte io_direction(MemorySegment struct) {
        return struct.get(JAVA_BYTE, io_direction$OFFSET);
    }

    public static void io_direction(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, io_direction$OFFSET, value);
    }

    public static byte io_size(MemorySegment struct) {
        return struct.get(JAVA_BYTE, io_size$OFFSET);
    }

    public static void io_size(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, io_size$OFFSET, value);
    }

    public static short io_port(MemorySegment struct) {
        return struct.get(JAVA_SHORT, io_port$OFFSET);
    }

    public static void io_port(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, io_port$OFFSET, value);
    }

    public static int io_count(MemorySegment struct) {
        return struct.get(JAVA_INT, io_count$OFFSET);
    }

    public static void io_count(MemorySegment struct, int value) {
        struct.set(JAVA_INT, io_count$OFFSET, value);
    }

    public static long io_data_offset(MemorySegment struct) {
        return struct.get(JAVA_LONG, io_data_offset$OFFSET);
    }

    public static void io_data_offset(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, io_data_offset$OFFSET, value);
    }

    public static long mmio_phys_addr(MemorySegment struct) {
        return struct.get(JAVA_LONG, mmio_phys_addr$OFFSET);
    }

    public static void mmio_phys_addr(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, mmio_phys_addr$OFFSET, value);
    }

    /** {@code mmio.data}, as a slice of {@code struct}. */
    public static MemorySegment mmio_data(MemorySegment struct) {
        return struct.asSlice(mmio_data$OFFSET, mmio_data$LAYOUT.byteSize());
    }

    public static int mmio_len(MemorySegment struct) {
        return struct.get(JAVA_INT, mmio_len$OFFSET);
    }

    public static void mmio_len(MemorySegment struct, int value) {
        struct.set(JAVA_INT, mmio_len$OFFSET, value);
    }

    public static byte mmio_is_write(MemorySegment struct) {
        return struct.get(JAVA_BYTE, mmio_is_write$OFFSET);
    }

    public static void mmio_is_write(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, mmio_is_write$OFFSET, value);
    }

    public static int internal_suberror(MemorySegment struct) {
        return struct.get(JAVA_INT, internal_suberror$OFFSET);
    }

    public static void internal_suberror(MemorySegment struct, int value) {
        struct.set(JAVA_INT, internal_suberror$OFFSET, value);
    }

    public static int internal_ndata(MemorySegment struct) {
        return struct.get(JAVA_INT, internal_ndata$OFFSET);
    }

    public static void internal_ndata(MemorySegment struct, int value) {
        struct.set(JAVA_INT, internal_ndata$OFFSET, value);
    }

    /** {@code internal.data}, as a slice of {@code struct}. */
    public static MemorySegment internal_data(MemorySegment struct) {
        return struct.asSlice(internal_data$OFFSET, internal_data$LAYOUT.byteSize());
    }

    public static int system_event_type(MemorySegment struct) {
        return struct.get(JAVA_INT, system_event_type$OFFSET);
    }

    public static void system_event_type(MemorySegment struct, int value) {
        struct.set(JAVA_INT, system_event_type$OFFSET, value);
    }

    public static int system_event_ndata(MemorySegment struct) {
        return struct.get(JAVA_INT, system_event_ndata$OFFSET);
    }

    public static void system_event_ndata(MemorySegment struct, int value) {
        struct.set(JAVA_INT, system_event_ndata$OFFSET, value);
    }

    public static long system_event_flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, system_event_flags$OFFSET);
    }

    public static void system_event_flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, system_event_flags$OFFSET, value);
    }

    /** {@code system_event.data}, as a slice of {@code struct}. */
    public static MemorySegment system_event_data(MemorySegment struct) {
        return struct.asSlice(system_event_data$OFFSET, system_event_data$LAYOUT.byteSize());
    }

    public static long memory_fault_flags(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_fault_flags$OFFSET);
    }

    public static void memory_fault_flags(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_fault_flags$OFFSET, value);
    }

    public static long memory_fault_gpa(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_fault_gpa$OFFSET);
    }

    public static void memory_fault_gpa(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_fault_gpa$OFFSET, value);
    }

    public static long memory_fault_size(MemorySegment struct) {
        return struct.get(JAVA_LONG, memory_fault_size$OFFSET);
    }

    public static void memory_fault_size(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, memory_fault_size$OFFSET, value);
    }

    public static long kvm_valid_regs(MemorySegment struct) {
        return struct.get(JAVA_LONG, kvm_valid_regs$OFFSET);
    }

    public static void kvm_valid_regs(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, kvm_valid_regs$OFFSET, value);
    }

    public static long kvm_dirty_regs(MemorySegment struct) {
        return struct.get(JAVA_LONG, kvm_dirty_regs$OFFSET);
    }

    public static void kvm_dirty_regs(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, kvm_dirty_regs$OFFSET, value);
    }

    /** The union {@code s} of synchronized registers, as a slice of {@code struct}. */
    public static MemorySegment s(MemorySegment struct) {
        return struct.asSlice(s$OFFSET, s$LAYOUT.byteSize());
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct; a real vCPU's run area comes from mmap on the vCPU fd instead. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
