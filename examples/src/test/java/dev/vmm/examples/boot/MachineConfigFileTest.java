// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.virtio.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's Firecracker-shaped machine description: what it takes, and one sentence for each thing it refuses. */
class MachineConfigFileTest {
    private static MachineConfigFile parse(String json) {
        return MachineConfigFile.parse("vm.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        String message = assertThrows(BootException.class, () -> parse(json)).getMessage();
        assertTrue(message.startsWith("The machine description vm.json") && message.endsWith(".") && message.lines().count() == 1, message);
        return message;
    }

    @Test
    void aFirecrackerStyleDescriptionGivesTheMachine() {
        MachineConfigFile c = parse("""
                {
                  "boot-source": {"kernel_image_path": "/boot/vmlinuz", "initrd_path": "initrd.cpio", "boot_args": "console=ttyS0 reboot=a"},
                  "machine-config": {"vcpu_count": 2, "mem_size_mib": 512, "smt": false}
                }""");
        assertEquals(new MachineConfigFile(Path.of("/boot/vmlinuz"), Path.of("initrd.cpio"), "console=ttyS0 reboot=a", 512L, 2, null, List.of(), List.of(), null), c);
        MachineConfigFile minimal = parse("{\"boot-source\": {\"kernel_image_path\": \"k\", \"initrd_path\": null}}");
        assertEquals(Path.of("k"), minimal.kernel());
        assertNull(minimal.initrd());
        assertNull(minimal.cpus());
    }

    @Test
    void everyBadFieldIsOneSentenceNamingIt() {
        assertTrue(error("[]").contains("the top level must be a JSON object ({...}), not an array"));
        assertTrue(error("{}").contains("has no \"boot-source\": add it"));
        assertTrue(error("{\"boot-source\": {}}").contains("has no \"boot-source.kernel_image_path\""));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": 7}}").contains("boot-source.kernel_image_path must be a string, not a number"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"\"}}").contains("boot-source.kernel_image_path takes a path, not ''"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\", \"kernel\": 1}}")
                .contains("an unknown field 'boot-source.kernel': the fields there are kernel_image_path, initrd_path, boot_args"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"machine-config\": {\"vcpu_count\": 0}}")
                .contains("machine-config.vcpu_count must be a whole number from 1 to 255, not 0"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"machine-config\": {\"mem_size_mib\": 1.5}}")
                .contains("machine-config.mem_size_mib must be a whole number from 1 to 1048576, not 1.5"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"machine-config\": {\"mem_size_mib\": \"512\"}}")
                .contains("not a string"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"machine-config\": {\"smt\": true}}")
                .contains("machine-config.smt must be false"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"balloon\": {}}")
                .contains("has a section \"balloon\", which this VMM does not support yet: remove it"));
        String kernel = "{\"boot-source\": {\"kernel_image_path\": \"k\"}, ";
        assertTrue(error(kernel + "\"drives\": {}}").contains("drives must be a JSON array ([...]) of drives"));
        assertTrue(error(kernel + "\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"x\", \"is_root_device\": true}]}")
                .contains("has no \"drives[0].is_read_only\""));
        assertTrue(error(kernel + "\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"x\", \"is_root_device\": 1, \"is_read_only\": false}]}")
                .contains("drives[0].is_root_device must be true or false, not a number"));
        String drive = "{\"drive_id\": \"a\", \"path_on_host\": \"x\", \"is_root_device\": true, \"is_read_only\": false}";
        assertTrue(error(kernel + "\"drives\": [" + drive + ", " + drive + "]}").contains("drives[1].drive_id 'a' is given to an earlier drive too"));
        assertTrue(error(kernel + "\"drives\": [" + drive + ", " + drive.replace("\"a\"", "\"b\"") + "]}")
                .contains("drives[1] is a second root device"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"bootsource\": {}}")
                .contains("an unknown field 'bootsource': the fields there are boot-source, drives, machine-config, network-interfaces, vsock"));
    }

    @Test
    void textThatIsNotJsonSaysWhereAndWhat() {
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\",}}").contains("expected a member name in double quotes at line 1, column 43"));
        assertTrue(error("{\n  \"a\": 1,\n  \"a\": 2\n}").contains("the member 'a' appears twice at line 3, column 3"));
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}} x").contains("text after the end of the JSON value"));
        assertTrue(error("{\"a\": \"tab\there\"}").contains("a control character inside a string (write it as \\u0009)"));
        assertTrue(error("{\"a\": 01}").contains("expected '}', not '1'"));
        assertTrue(error("[".repeat(40)).contains("nested more than 32 deep"));
        assertTrue(error("{\"a\": tru}").contains("expected true"));
        assertTrue(error("").contains("the text ends where a value should be"));
        String message = assertThrows(BootException.class, () -> MachineConfigFile.parse("vm.json", new byte[] {'{', (byte) 0xff, '}'})).getMessage();
        assertEquals("The machine description vm.json is not UTF-8 text: save it as UTF-8 JSON.", message);
    }

    @Test
    void drivesAreFirecrackersWithTheRootFirst() {
        MachineConfigFile c = parse("""
                {"boot-source": {"kernel_image_path": "k"},
                 "drives": [{"drive_id": "data", "path_on_host": "data.img", "is_root_device": false, "is_read_only": true},
                            {"drive_id": "rootfs", "path_on_host": "rootfs.ext4", "is_root_device": true, "is_read_only": false}]}""");
        assertEquals(new MicroVmConfig.Drive(Path.of("rootfs.ext4"), false), c.root());
        assertEquals(List.of(new MicroVmConfig.Drive(Path.of("data.img"), true)), c.disks());
        BootOptions o = BootOptions.parse("--kernel", "k", "--rootfs", "r.ext4", "--rootfs-ro", "--disk", "d1", "--disk-ro", "d2");
        assertEquals(List.of(new MicroVmConfig.Drive(Path.of("r.ext4"), true), new MicroVmConfig.Drive(Path.of("d1"), false),
                new MicroVmConfig.Drive(Path.of("d2"), true)), o.drives());
        assertTrue(o.commandLine().endsWith(" root=/dev/vda ro"), o.commandLine());
        BootOptions child = BootOptions.parse(o.childArguments(true).toArray(String[]::new));
        assertEquals(o.vmConfig(), child.vmConfig(), "a child launcher boots the same disks");
        assertEquals("console=ttyS0 root=/dev/vdb", BootOptions.parse("--kernel", "k", "--cmdline", "console=ttyS0 root=/dev/vdb", "--rootfs", "r")
                .commandLine(), "a root= of the user's stays");
        assertEquals("--rootfs-ro without --rootfs: give the root disk image with --rootfs IMAGE.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--rootfs-ro")).getMessage());
    }

    @Test
    void networkInterfacesAndVsockAreFirecrackers() {
        MachineConfigFile c = parse("""
                {"boot-source": {"kernel_image_path": "k"},
                 "network-interfaces": [{"iface_id": "eth0", "host_dev_name": "tap0", "guest_mac": "06:00:AC:10:00:02"},
                                        {"iface_id": "eth1", "host_dev_name": "vmm%d"}],
                 "vsock": {"vsock_id": "vsock0", "guest_cid": 3, "uds_path": "/run/v.sock"}}""");
        assertEquals(List.of(new MicroVmConfig.NetworkInterface("tap0", MacAddress.parse("06:00:ac:10:00:02")),
                new MicroVmConfig.NetworkInterface("vmm%d", null)), c.networkInterfaces());
        assertEquals(new MicroVmConfig.Vsock(3, Path.of("/run/v.sock")), c.vsock());

        String kernel = "{\"boot-source\": {\"kernel_image_path\": \"k\"}, ";
        assertTrue(error(kernel + "\"network-interfaces\": {}}").contains("network-interfaces must be a JSON array ([...]) of interfaces"));
        assertTrue(error(kernel + "\"network-interfaces\": [{\"iface_id\": \"a\"}]}").contains("has no \"network-interfaces[0].host_dev_name\""));
        assertTrue(error(kernel + "\"network-interfaces\": [{\"iface_id\": \"a\", \"host_dev_name\": \"t\", \"rx_rate_limiter\": {}}]}")
                .contains("an unknown field 'network-interfaces[0].rx_rate_limiter'"));
        String nic = "{\"iface_id\": \"a\", \"host_dev_name\": \"tap0\"}";
        assertTrue(error(kernel + "\"network-interfaces\": [" + nic + ", " + nic + "]}")
                .contains("network-interfaces[1].iface_id 'a' is given to an earlier interface too"));
        assertTrue(error(kernel + "\"network-interfaces\": [{\"iface_id\": \"a\", \"host_dev_name\": \"a/b\"}]}")
                .contains("network-interfaces[0]: \"a/b\" is not an interface name"));
        assertTrue(error(kernel + "\"network-interfaces\": [{\"iface_id\": \"a\", \"host_dev_name\": \"t\", \"guest_mac\": \"06:00\"}]}")
                .contains("network-interfaces[0]: \"06:00\" is not a MAC address"));
        assertTrue(error(kernel + "\"network-interfaces\": [{\"iface_id\": \"a\", \"host_dev_name\": \"t\", \"guest_mac\": \"01:00:5e:00:00:01\"}]}")
                .contains("is a multicast address"));
        assertTrue(error(kernel + "\"vsock\": {\"uds_path\": \"v\"}}").contains("has no \"vsock.guest_cid\""));
        assertTrue(error(kernel + "\"vsock\": {\"guest_cid\": 2, \"uds_path\": \"v\"}}").contains("vsock: The guest CID 2 is not one a guest may have"));
        assertTrue(error(kernel + "\"vsock\": {\"guest_cid\": 3}}").contains("has no \"vsock.uds_path\""));
        assertTrue(error(kernel + "\"vsock\": {\"guest_cid\": 3, \"uds_path\": \"v\", \"port\": 1}}").contains("an unknown field 'vsock.port'"));
        String drive = "{\"drive_id\": \"d%d\", \"path_on_host\": \"x\", \"is_root_device\": false, \"is_read_only\": true}";
        StringBuilder drives = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            drives.append(i == 0 ? "" : ", ").append(drive.formatted(i));
        }
        assertTrue(error(kernel + "\"drives\": [" + drives + "], \"vsock\": {\"guest_cid\": 3, \"uds_path\": \"v\"}}")
                .contains("has 8 drives, 0 network interfaces and a vsock device: this VM takes at most 8 in all"));
    }

    @Test
    void netAndVsockOptionsGiveTheSameDevicesAndSurviveTheChildLauncher() {
        BootOptions o = BootOptions.parse("--kernel", "k", "--disk", "d", "--net", "tap=tap0,mac=06:00:00:00:00:01", "--net", "tap=tap1",
                "--vsock", "cid=42,uds=/tmp/a,b.sock");
        assertEquals(List.of(new MicroVmConfig.NetworkInterface("tap0", MacAddress.parse("06:00:00:00:00:01")),
                new MicroVmConfig.NetworkInterface("tap1", null)), o.networkInterfaces());
        assertEquals(new MicroVmConfig.Vsock(42, Path.of("/tmp/a,b.sock")), o.vsock(), "uds= takes the rest, commas too");
        assertEquals(o.vmConfig(), BootOptions.parse(o.childArguments(true).toArray(String[]::new)).vmConfig(), "a child launcher boots the same devices");
        assertEquals(o.vmConfig().networkInterfaces(), o.networkInterfaces());
        assertEquals(o.vsock(), o.vmConfig().vsock());

        assertEquals("--net takes tap=NAME[,mac=MAC], not 'mac=06:00:00:00:00:01': name the host's tap interface.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--net", "mac=06:00:00:00:00:01")).getMessage());
        assertEquals("--net takes tap=NAME[,mac=MAC], each once, not 'tap=a,tap=b'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--net", "tap=a,tap=b")).getMessage());
        assertTrue(assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--net", "tap=a,mac=zz"))
                .getMessage().startsWith("--net: \"zz\" is not a MAC address"));
        assertTrue(assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--net", "tap=" + "x".repeat(16)))
                .getMessage().contains("is not an interface name: give 1 to 15 bytes"));
        assertEquals("--vsock takes cid=N,uds=PATH, not 'uds=/tmp/v,cid=3'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--vsock", "uds=/tmp/v,cid=3")).getMessage());
        assertEquals("--vsock takes cid=N,uds=PATH, not 'cid=3'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--vsock", "cid=3")).getMessage());
        assertEquals("--vsock cid takes a whole number from 0 to 4294967295, not 'x'.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--vsock", "cid=x,uds=v")).getMessage());
        assertTrue(assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--vsock", "cid=1,uds=v"))
                .getMessage().startsWith("The guest CID 1 is not one a guest may have: give 3 to 4294967294"));
        assertEquals("--vsock is given twice: this VM has one vsock device.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--vsock", "cid=3,uds=a", "--vsock", "cid=4,uds=b")).getMessage());
        assertEquals("--compare qemu boots disks only, not --net or --vsock: leave those out to compare.",
                assertThrows(BootException.class, () -> BootOptions.parse("--kernel", "k", "--net", "tap=t", "--compare", "qemu")).getMessage());
        List<String> nine = new java.util.ArrayList<>(List.of("--kernel", "k", "--vsock", "cid=3,uds=v"));
        for (int i = 0; i < 8; i++) {
            nine.addAll(List.of("--net", "tap=t" + i));
        }
        assertEquals("0 disks, 8 network interfaces and a vsock device given: this VM takes at most 8 in all.",
                assertThrows(BootException.class, () -> BootOptions.parse(nine.toArray(String[]::new))).getMessage());
    }

    @Test
    void theLauncherTakesTheFileAndOptionsBesideItWin(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("vm.json"),
                "{\"boot-source\": {\"kernel_image_path\": \"vmlinuz\", \"boot_args\": \"console=ttyS0\"}, \"machine-config\": {\"vcpu_count\": 4, \"mem_size_mib\": 384}}");
        BootOptions fromFile = BootOptions.parse("--config", file.toString());
        assertEquals(Path.of("vmlinuz"), fromFile.kernel());
        assertEquals("console=ttyS0", fromFile.commandLine());
        assertEquals(4, fromFile.cpus());
        assertEquals(384, fromFile.memoryMib());
        BootOptions overridden = BootOptions.parse("--cpus", "2", "--config", file.toString(), "--kernel", "other");
        assertEquals(2, overridden.cpus());
        assertEquals(Path.of("other"), overridden.kernel());
        assertEquals(384, overridden.memoryMib());
        assertTrue(assertThrows(BootException.class, () -> BootOptions.parse("--config", dir.resolve("missing.json").toString()))
                .getMessage().endsWith("missing.json does not exist: give the path of a JSON file."));
        assertTrue(assertThrows(BootException.class, () -> BootOptions.parse("--config", dir.toString()))
                .getMessage().endsWith(" is not a regular file: give the path of a JSON file."));
        assertEquals("--config is given twice: give one machine description.",
                assertThrows(BootException.class, () -> BootOptions.parse("--config", file.toString(), "--config", file.toString())).getMessage());
        // A value that looks like --config is the value of the option before it, not a second file.
        assertEquals("--config", BootOptions.parse("--config", file.toString(), "--cmdline", "--config").commandLine());
    }
}
