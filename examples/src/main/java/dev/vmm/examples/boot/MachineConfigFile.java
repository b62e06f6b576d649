// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.virtio.MacAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The launcher's machine description ({@code --config FILE}), shaped like Firecracker's
 * {@code --config-file} where this VMM has the same thing, so that a Firecracker user feels at home:
 *
 * <pre>{@code
 * {
 *   "boot-source": {"kernel_image_path": "vmlinuz", "initrd_path": "initrd.cpio", "boot_args": "console=ttyS0 reboot=a"},
 *   "machine-config": {"vcpu_count": 2, "mem_size_mib": 512}
 * }
 * }</pre>
 *
 * Every field is checked, each problem one {@link BootException} sentence naming the file and the
 * field. Sections of Firecracker's that this VMM does not have yet (logger, metrics, balloon, ...)
 * are refused by name rather than ignored, so nothing in a file silently does nothing.
 *
 * @param kernel from boot-source.kernel_image_path
 * @param initrd from boot-source.initrd_path, or null
 * @param bootArgs from boot-source.boot_args, or null for the launcher's default
 * @param memoryMib from machine-config.mem_size_mib, or null for the default
 * @param cpus from machine-config.vcpu_count, or null for the default
 * @param root the drive with is_root_device true, or null
 * @param disks the other drives, in file order
 * @param networkInterfaces from network-interfaces, in file order
 * @param vsock from vsock, or null
 */
record MachineConfigFile(Path kernel, Path initrd, String bootArgs, Long memoryMib, Integer cpus, MicroVmConfig.Drive root,
                         List<MicroVmConfig.Drive> disks, List<MicroVmConfig.NetworkInterface> networkInterfaces, MicroVmConfig.Vsock vsock) {
    /** Larger than any machine description; a bigger file is a mistake (a kernel given as the config, say). */
    static final long MAX_SIZE = 1 << 20;

    private static final Set<String> FIRECRACKER_SECTIONS_NOT_HERE = Set.of("logger",
            "metrics", "balloon", "mmds-config", "entropy", "cpu-config");

    /** Reads and checks {@code file}. */
    static MachineConfigFile read(Path file) {
        String where = "The machine description " + file;
        if (!Files.isRegularFile(file)) {
            throw new BootException(where + (Files.exists(file) ? " is not a regular file" : " does not exist") + ": give the path of a JSON file.");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_SIZE) {
                throw new BootException(where + " is larger than " + (MAX_SIZE >> 10) + " KiB: give a machine description, not another file.");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BootException(where + " cannot be read (" + e.getMessage() + "): check its permissions.");
        }
        return parse(file.toString(), bytes);
    }

    /** Checks the description {@code bytes}, read from {@code name}. */
    static MachineConfigFile parse(String name, byte[] bytes) {
        String where = "The machine description " + name;
        if (bytes.length > MAX_SIZE) {
            throw new BootException(where + " is larger than " + (MAX_SIZE >> 10) + " KiB: give a machine description, not another file.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BootException(where + " is not UTF-8 text: save it as UTF-8 JSON.");
        }
        Object json;
        try {
            json = JsonReader.parse(text);
        } catch (JsonReader.Malformed e) {
            throw new BootException(where + " is not valid JSON (" + e.getMessage() + "): fix it there.");
        }
        Fields top = new Fields(where, "", json, "the top level");
        for (String section : top.members.keySet()) {
            if (FIRECRACKER_SECTIONS_NOT_HERE.contains(section)) {
                throw new BootException(where + " has a section \"" + section + "\", which this VMM does not support yet: remove it.");
            }
        }
        top.allowOnly("boot-source", "drives", "machine-config", "network-interfaces", "vsock");
        Fields boot = new Fields(where, "boot-source.", top.require("boot-source"), "\"boot-source\"");
        boot.allowOnly("kernel_image_path", "initrd_path", "boot_args");
        Path kernel = boot.path("kernel_image_path", true);
        Path initrd = boot.path("initrd_path", false);
        String bootArgs = boot.string("boot_args", false);
        Long memoryMib = null;
        Integer cpus = null;
        Object machine = top.optional("machine-config");
        if (machine != null) {
            Fields m = new Fields(where, "machine-config.", machine, "\"machine-config\"");
            m.allowOnly("vcpu_count", "mem_size_mib", "smt");
            Object smt = m.optional("smt");
            if (smt != null && smt != Boolean.FALSE) {
                throw new BootException(where + ": machine-config.smt must be false (this VMM gives each vCPU its own core), not " + smt + ".");
            }
            Long count = m.wholeNumber("vcpu_count", 1, 255);
            cpus = count == null ? null : count.intValue();
            memoryMib = m.wholeNumber("mem_size_mib", 1, 1 << 20);
        }
        MicroVmConfig.Drive root = null;
        List<MicroVmConfig.Drive> disks = new ArrayList<>();
        Object drives = top.optional("drives");
        if (drives != null) {
            if (!(drives instanceof List<?> list)) {
                throw new BootException(where + ": drives must be a JSON array ([...]) of drives.");
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Fields d = new Fields(where, "drives[" + i + "].", list.get(i), "drives[" + i + "]");
                d.allowOnly("drive_id", "path_on_host", "is_root_device", "is_read_only");
                if (!ids.add(d.string("drive_id", true))) {
                    throw new BootException(where + ": drives[" + i + "].drive_id " + BootOptions.shown(d.string("drive_id", true))
                            + " is given to an earlier drive too: give each drive its own id.");
                }
                MicroVmConfig.Drive drive = new MicroVmConfig.Drive(d.path("path_on_host", true), d.bool("is_read_only"));
                if (d.bool("is_root_device")) {
                    if (root != null) {
                        throw new BootException(where + ": drives[" + i + "] is a second root device: mark one drive is_root_device.");
                    }
                    root = drive;
                } else {
                    disks.add(drive);
                }
            }
        }
        List<MicroVmConfig.NetworkInterface> nics = new ArrayList<>();
        Object interfaces = top.optional("network-interfaces");
        if (interfaces != null) {
            if (!(interfaces instanceof List<?> list)) {
                throw new BootException(where + ": network-interfaces must be a JSON array ([...]) of interfaces.");
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Fields n = new Fields(where, "network-interfaces[" + i + "].", list.get(i), "network-interfaces[" + i + "]");
                n.allowOnly("iface_id", "host_dev_name", "guest_mac");
                if (!ids.add(n.string("iface_id", true))) {
                    throw new BootException(where + ": network-interfaces[" + i + "].iface_id " + BootOptions.shown(n.string("iface_id", true))
                            + " is given to an earlier interface too: give each interface its own id.");
                }
                String mac = n.string("guest_mac", false);
                try {
                    nics.add(new MicroVmConfig.NetworkInterface(n.string("host_dev_name", true), mac == null ? null : MacAddress.parse(mac)));
                } catch (IllegalArgumentException | BootException e) {
                    throw new BootException(where + ": network-interfaces[" + i + "]: " + e.getMessage());
                }
            }
        }
        MicroVmConfig.Vsock vsock = null;
        Object vsockSection = top.optional("vsock");
        if (vsockSection != null) {
            Fields v = new Fields(where, "vsock.", vsockSection, "\"vsock\"");
            v.allowOnly("vsock_id", "guest_cid", "uds_path");
            v.string("vsock_id", false); // Firecracker's name for the device: a string if given, and nothing else to it
            long cid = v.wholeNumber("guest_cid", 0, 0xffff_ffffL, true);
            try {
                vsock = new MicroVmConfig.Vsock(cid, v.path("uds_path", true));
            } catch (BootException e) {
                throw new BootException(where + ": vsock: " + e.getMessage());
            }
        }
        if (disks.size() + (root == null ? 0 : 1) + nics.size() + (vsock == null ? 0 : 1) > MicroVmConfig.MAX_VIRTIO_DEVICES) {
            throw new BootException(where + " has " + (disks.size() + (root == null ? 0 : 1)) + " drives, " + nics.size()
                    + " network interfaces and " + (vsock == null ? "no" : "a") + " vsock device: this VM takes at most "
                    + MicroVmConfig.MAX_VIRTIO_DEVICES + " in all.");
        }
        return new MachineConfigFile(kernel, initrd, bootArgs, memoryMib, cpus, root, List.copyOf(disks), List.copyOf(nics), vsock);
    }

    /** One JSON object of the description, and checked access to its members. */
    private static final class Fields {
        final String where;
        final String prefix;
        final Map<String, Object> members;

        @SuppressWarnings("unchecked")
        Fields(String where, String prefix, Object value, String what) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new BootException(where + ": " + what + " must be a JSON object ({...}), not " + kind(value) + ".");
            }
            this.where = where;
            this.prefix = prefix;
            this.members = (Map<String, Object>) map;
        }

        void allowOnly(String... names) {
            List<String> known = List.of(names);
            for (String key : members.keySet()) {
                if (!known.contains(key)) {
                    throw new BootException(where + " has an unknown field " + BootOptions.shown(prefix + key)
                            + ": the fields there are " + String.join(", ", known) + ".");
                }
            }
        }

        Object require(String key) {
            Object value = optional(key);
            if (value == null) {
                throw new BootException(where + " has no \"" + prefix + key + "\": add it (see ./vmm boot --help).");
            }
            return value;
        }

        /** The member's value, or null when it is absent or JSON null. */
        Object optional(String key) {
            Object value = members.get(key);
            return value == JsonReader.NULL ? null : value;
        }

        String string(String key, boolean required) {
            Object value = required ? require(key) : optional(key);
            if (value == null || value instanceof String) {
                return (String) value;
            }
            throw new BootException(where + ": " + prefix + key + " must be a string, not " + kind(value) + ".");
        }

        Path path(String key, boolean required) {
            String value = string(key, required);
            try {
                return value == null ? null : BootOptions.path(prefix + key, value);
            } catch (BootException e) {
                throw new BootException(where + ": " + e.getMessage());
            }
        }

        /** A required true or false, as Firecracker's drives have them. */
        boolean bool(String key) {
            Object value = require(key);
            if (value instanceof Boolean b) {
                return b;
            }
            throw new BootException(where + ": " + prefix + key + " must be true or false, not " + kind(value) + ".");
        }

        Long wholeNumber(String key, long min, long max) {
            return wholeNumber(key, min, max, false);
        }

        Long wholeNumber(String key, long min, long max, boolean required) {
            Object value = required ? require(key) : optional(key);
            if (value == null) {
                return null;
            }
            if (value instanceof Long n && n >= min && n <= max) {
                return n;
            }
            throw new BootException(where + ": " + prefix + key + " must be a whole number from " + min + " to " + max + ", not "
                    + (value instanceof Number ? value : kind(value)) + ".");
        }

        private static String kind(Object value) {
            return switch (value) {
                case Map<?, ?> ignored -> "an object";
                case List<?> ignored -> "an array";
                case String ignored -> "a string";
                case Boolean b -> b.toString();
                case Number ignored -> "a number";
                default -> "null";
            };
        }
    }
}
