// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.KvmTest;
import dev.vmm.core.NetNamespace;
import dev.vmm.core.devices.BusDevice;
import dev.vmm.core.virtio.MacAddress;
import dev.vmm.core.virtio.VirtioBlock;
import dev.vmm.core.virtio.VirtioNet;
import dev.vmm.core.virtio.vsock.VirtioVsock;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A MicroVm's virtio devices on real KVM: each kind in its slot, in the order the config lists
 * them (drives, network interfaces, vsock), with an ioeventfd per queue registered on one
 * QueueNotify address (KVM tells them apart by the value written), and everything they hold on
 * the host (tap, socket file) gone with the VM.
 */
class MicroVmVirtioDevicesTest {
    /**
     * Maps the virtio windows (above the first GiB the boot page tables map, as
     * {@link CorruptQueueGuest} does), then writes the DeviceID register of the first three slots
     * to port 0x99, 32 bits each, and spins:
     * <pre>
     *     mov %cr3,%rax; and $-4096,%rax; mov (%rax),%rbx; and $-4096,%rbx  # the PDPT
     *     mov $0x1200000,%edi; mov $0xd0000093,%eax; mov %rax,8*128(%rdi)    # a 2 MiB page at 0xd0000000
     *     lea 3(%rdi),%rax; mov %rax,8*3(%rbx); mov %cr3,%rax; mov %rax,%cr3 # PDPT[3]: that page directory
     *     mov $0xd0000008,%esi; mov $0x99,%dx
     * next: mov (%rsi),%eax; out %eax,%dx; add $0x1000,%esi; cmp $0xd0003008,%esi; jb next
     * 1:   jmp 1b
     * </pre>
     */
    private static final String DEVICE_IDS = "0f20d8482500f0ffff488b184881e300f0ffffbf00002001b8930000d048898700040000488d4703"
            + "488943180f20d80f22d8be080000d066ba99008b06ef81c60010000081fe083000d072efebfe";
    private static final int PORT = 0x99;

    @TempDir
    Path dir;

    @KvmTest
    void drivesThenTheVsockDeviceEachInItsSlot() throws IOException {
        Path socket = dir.resolve("v.sock");
        MicroVmConfig config = guest().withDrive(drive("a")).withDrive(drive("b")).withVsock(new MicroVmConfig.Vsock(3, socket));
        assertEquals(List.of(VirtioBlock.DEVICE_TYPE, VirtioBlock.DEVICE_TYPE, VirtioVsock.DEVICE_TYPE), deviceIds(config, () -> {
            assertTrue(Files.exists(socket), "the vsock socket is there while the VM is open");
        }));
        assertFalse(Files.exists(socket), "the VM's close removes its vsock socket");
    }

    @KvmTest
    void aNetworkInterfaceSitsAfterTheDrivesAndItsTapGoesWithTheVm() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            Path socket = dir.resolve("v.sock");
            MicroVmConfig config = guest().withDrive(drive("a"))
                    .withNetworkInterface(new MicroVmConfig.NetworkInterface("vmm%d", MacAddress.parse("02:00:00:00:00:01")))
                    .withVsock(new MicroVmConfig.Vsock(3, socket));
            // The tap is made in the namespace of the thread that creates the VM.
            List<Integer> ids = ns.call(() -> deviceIds(config, () -> {
                try {
                    assertTrue(ns.ip("link", "show").contains("vmm0"), "the tap is there while the VM is open");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }));
            assertEquals(List.of(VirtioBlock.DEVICE_TYPE, VirtioNet.DEVICE_TYPE, VirtioVsock.DEVICE_TYPE), ids);
            assertFalse(ns.ip("link", "show").contains("vmm0"), "the VM's close removes the tap it created");
        }
    }

    private MicroVmConfig guest() throws IOException {
        Path kernel = Files.write(dir.resolve("device-ids.elf"), HostileGuests.elf(HexFormat.of().parseHex(DEVICE_IDS)));
        return new MicroVmConfig(kernel, null, "", HostileGuests.MEMORY, 1, null);
    }

    private MicroVmConfig.Drive drive(String name) throws IOException {
        return new MicroVmConfig.Drive(Files.write(dir.resolve(name + ".img"), new byte[4096]), true);
    }

    /** Boots {@code config}, runs {@code whileOpen} once the guest has written three IDs, and returns them. */
    private static List<Integer> deviceIds(MicroVmConfig config, Runnable whileOpen) {
        List<Integer> ids = new CopyOnWriteArrayList<>();
        try (MicroVm vm = MicroVm.create(config, b -> { })) {
            vm.devices().ports().register(PORT, 4, new BusDevice() {
                @Override
                public void read(long offset, byte[] data) {
                }

                @Override
                public void write(long offset, byte[] data) {
                    if (data.length == 4) {
                        ids.add(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt());
                    }
                    if (ids.size() == 3) {
                        vm.stop();
                    }
                }
            });
            MicroVmExit exit = vm.run(Duration.ofSeconds(60));
            assertEquals(MicroVmExit.Reason.STOPPED, exit.reason(), exit.toString());
            assertEquals(3, ids.size(), "the guest wrote three device IDs before " + exit);
            whileOpen.run();
        }
        return ids;
    }
}
