// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.MicroVmConfig;
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
        assertEquals(new MachineConfigFile(Path.of("/boot/vmlinuz"), Path.of("initrd.cpio"), "console=ttyS0 reboot=a", 512L, 2, null, List.of()), c);
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
        assertTrue(error("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"vsock\": {}}")
                .contains("has a section \"vsock\", which this VMM does not support yet: remove it"));
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
                .contains("an unknown field 'bootsource': the fields there are boot-source, drives, machine-config"));
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
