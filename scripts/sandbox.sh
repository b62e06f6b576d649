#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs a command with a real /dev/kvm.
#
#   scripts/sandbox.sh [--kernel PROFILE] [--force-sandbox] [--timeout SECONDS] [--mem MIB] [--cpus N] -- CMD [ARGS...]
#
# Without --kernel, CMD simply runs here when the host has a usable /dev/kvm (profile "host",
# also selectable with --kernel host). A named kernel profile, or --force-sandbox, always boots a
# throwaway guest: the host's KVM may be any kernel, or another flavour of KVM altogether (PVM, say),
# so only the sandbox gives the named kernel. The guest boots under QEMU's emulator (TCG, which
# emulates AMD SVM with nested paging) with a stock Debian kernel that loads kvm_amd; CMD runs in
# it as root, chrooted into the host's root (read-only 9p), in the same working folder, with the
# project folder writable, tmpfs on /tmp and /run, and stdout/stderr streamed live. The exit status is
# CMD's; 124 when --timeout ran out or the guest kernel stalled (a CPU stuck for 100 s or more), 125
# when the guest failed before CMD ran, 2 for usage errors.
#
# Profiles: host (this machine's /dev/kvm), 6.12 (default sandbox, nested paging, has
# KVM_CAP_PRE_FAULT_MEMORY), 6.12-nonpt (same kernel, kvm_amd npt=0: shadow paging), 6.1 (predates
# KVM_PRE_FAULT_MEMORY).
# Downloads and built initramfs images are cached in $VMM_CACHE (default ~/.cache/vmm).
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROFILES="host, 6.12, 6.12-nonpt, 6.1"
INIT_SCRIPT="$VMM_ROOT/scripts/sandbox-init.sh"
ANCHOR_SOURCE="$VMM_ROOT/scripts/kvm-anchor.c"
# Bump when the layout of the initramfs built below changes (the init script is hashed anyway).
INITRD_FORMAT=3

note() { printf 'vmm sandbox: %s\n' "$*" >&2; }
usage_error() { note "$*"; exit 2; }
fatal() { note "$*"; exit 125; }
usage() {
  cat >&2 <<EOF
usage: scripts/sandbox.sh [--kernel PROFILE] [--force-sandbox] [--timeout SECONDS] [--mem MIB] [--cpus N] -- CMD [ARGS...]
Runs CMD with a real /dev/kvm: directly when the host has one, else in a QEMU TCG guest.
  --kernel PROFILE   $PROFILES (default: host when /dev/kvm is usable, else 6.12);
                     a sandbox profile boots its kernel even when the host has /dev/kvm
  --force-sandbox    boot the 6.12 guest even when the host has /dev/kvm
  --timeout SECONDS  stop the guest after this long, exit 124 (default 1800)
  --mem MIB          guest memory (default 4096)
  --cpus N           guest vCPUs (default 2)
EOF
}

profile='' force=0 timeout=1800 mem=4096 cpus=2
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    --kernel|--timeout|--mem|--cpus)
      [ $# -ge 2 ] || usage_error "option $1 needs a value."
      opt=${1#--} val=$2; shift 2 ;;
    --kernel=*|--timeout=*|--mem=*|--cpus=*)
      opt=${1%%=*}; opt=${opt#--}; val=${1#*=}; shift ;;
    --force-sandbox) force=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; usage_error "unknown option $1." ;;
    *) break ;;
  esac
  case $opt in
    kernel) profile=$val ;;
    timeout|mem|cpus)
      [[ $val =~ ^[0-9]+$ && $val -gt 0 ]] || usage_error "--$opt needs a positive whole number, not '$val'."
      printf -v "$opt" '%s' "$val" ;;
  esac
done
[ $# -gt 0 ] || { usage; usage_error "no command given (put it after --)."; }

if [ -z "$profile" ]; then
  if [ "$force" = 0 ] && host_kvm_usable; then profile=host; else profile=6.12; fi
fi

case $profile in
  host) host_kvm_usable || usage_error "this machine has no usable /dev/kvm for --kernel host: pick a sandbox profile (6.12, 6.12-nonpt, 6.1)." ;;
  6.12)       kseries=6.12; kvm_amd_opts="" ;;
  6.12-nonpt) kseries=6.12; kvm_amd_opts="npt=0" ;;
  6.1)        kseries=6.1;  kvm_amd_opts="" ;;
  *) usage_error "unknown kernel profile '$profile'; valid profiles are $PROFILES." ;;
esac

export VMM_ROOT VMM_CACHE

# ---- The host's own KVM: nothing to boot. ----
if [ "$profile" = host ]; then
  export VMM_KERNEL_PROFILE=host
  exec "$@"
fi

# What this run started and its own temporary files, which go when it ends. The cache is shared
# by concurrent runs (other clones too): each removes only its own files there.
qpid="" spid="" opid="" epid="" own_tmp=()
# shellcheck disable=SC2317 # run by the EXIT trap below
cleanup() {
  local p
  # The guest is throwaway and 9p writes are already on the host: no need to be gentle.
  for p in $qpid $spid $opid $epid; do kill -KILL "$p" 2>/dev/null; done
  # Reaping them here keeps bash from reporting "Killed" jobs.
  # shellcheck disable=SC2086
  [ -n "$qpid$spid$opid$epid" ] && wait $qpid $spid $opid $epid 2>/dev/null
  [ ${#own_tmp[@]} = 0 ] || rm -rf "${own_tmp[@]}"
}
trap cleanup EXIT
trap 'note "interrupted; stopping the guest."; exit 130' INT
trap 'exit 143' TERM HUP

# ---- Tools. ----
ensure_debs qemu-system-x86_64:qemu-system-x86 cpio:cpio xz:xz-utils
if fetch_sandbox_qemu; then
  tcg_threads=multi
else # correct, but one host CPU for all the guest's vCPUs
  sandbox_qemu=qemu-system-x86_64 sandbox_qemu_data="" tcg_threads=single
  note "no QEMU 10 or newer here, nor from bookworm-backports: using the system's with one TCG thread (slower)."
fi
qemu_version=$("$sandbox_qemu" --version 2>/dev/null | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
ensure_static_busybox || fatal "/bin/busybox from busybox-static is missing after installing it."
# kvm-anchor (see scripts/kvm-anchor.c) is linked statically: gcc and libc6-dev's libc.a.
ensure_debs gcc:gcc
[ -r /usr/lib/x86_64-linux-gnu/libc.a ] || ensure_debs vmm-needs-libc6-dev:libc6-dev

# ---- Kernel: newest package of the profile's series, downloaded and unpacked once (lib.sh). ----
fetch_kernel "$kseries" \
  || fatal "could not find or download a kernel package for profile $profile (apt-cache search '$(kernel_regex "$kseries")')."
kpkg=$kernel_pkg kdir=$kernel_dir
[ "$kernel_cached" = 1 ] && note "using the cached $kpkg (could not get the newest from the package mirror)."
images=("$kdir"/boot/vmlinuz-*)
vmlinuz=${images[0]}
[ -f "$vmlinuz" ] || fatal "$kpkg holds no boot/vmlinuz-*."
kver=${vmlinuz##*/vmlinuz-}
moddir="$kdir/lib/modules/$kver"
[ -d "$moddir" ] || fatal "$kpkg holds no lib/modules/$kver."

# Upstream version from the bzImage header's version string ("... Debian 6.1.158-1 ..."), for the message.
kshow=$kver
hdr_off=$(od -An -tu2 -j526 -N2 "$vmlinuz" 2>/dev/null | tr -d ' ')
if [ -n "$hdr_off" ] && [ "$hdr_off" -gt 0 ]; then
  kstr=$(dd if="$vmlinuz" bs=1 skip=$((hdr_off + 512)) count=256 2>/dev/null | tr '\0' '\n' | head -n 1)
  [[ $kstr =~ Debian\ ([0-9]+\.[0-9]+\.[0-9]+) ]] && kshow=${BASH_REMATCH[1]}
fi

# ---- Initramfs: static busybox, /init, kvm-anchor, decompressed modules; keyed by sources + kernel. ----
[ -r "$INIT_SCRIPT" ] || fatal "$INIT_SCRIPT is missing."
key=$( { echo "$INITRD_FORMAT $kpkg"; cat "$INIT_SCRIPT" "$ANCHOR_SOURCE"; } | sha256sum | cut -c1-16)
initrd="$VMM_CACHE/initramfs/$kpkg-$key.cpio"

build_initrd() {
  local stage m f name out
  local -A path=() seen=()
  local order9p=() orderkvm=()
  stage=$(mktemp -d "$VMM_CACHE/tmp.initrd.XXXXXX") || return 1
  own_tmp+=("$stage")
  mkdir -p "$stage"/{bin,etc,lib/modules,proc,sys,dev,host,ctl,tmp}
  cp /bin/busybox "$stage/bin/busybox" && cp "$INIT_SCRIPT" "$stage/init" && chmod 755 "$stage/init" || return 1
  gcc -static -O2 -o "$stage/bin/kvm-anchor" "$ANCHOR_SOURCE" || { note "could not compile $ANCHOR_SOURCE with gcc."; return 1; }

  # Index the kernel's modules by module name (file name with - as _).
  while IFS= read -r f; do
    name=${f##*/}; name=${name%%.ko*}; name=${name//-/_}
    path[$name]=$f
  done < <(find "$moddir/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')

  unpack() { # module name -> $stage/lib/modules/NAME.ko
    local src=${path[$1]} dst="$stage/lib/modules/$1.ko"
    case $src in
      *.ko.xz)  xz -dc "$src" >"$dst" ;;
      *.ko.zst) { command -v zstd >/dev/null || ensure_debs zstd:zstd; } && zstd -qdc "$src" >"$dst" ;;
      *.ko.gz)  gzip -dc "$src" >"$dst" ;;
      *)        cp "$src" "$dst" ;;
    esac
  }
  # Depth-first over the modules' "depends=" (from .modinfo); names without a file are built in.
  add() { # add NAME ARRAY
    local n=$1 d deps
    [ -n "${seen[$n]:-}" ] && return 0
    seen[$n]=1
    [ -n "${path[$n]:-}" ] || return 0
    unpack "$n" || return 1
    deps=$(tr '\0' '\n' <"$stage/lib/modules/$n.ko" | sed -n 's/^depends=//p' | head -n 1)
    for d in ${deps//,/ }; do add "$d" "$2" || return 1; done
    eval "$2+=(\"\$n\")"
  }
  # tun: for tests that give a VM a tap (in a network namespace of their own); vhost_vsock (when
  # the kernel has it): /dev/vhost-vsock, for QEMU's vhost-vsock-device in ./vmm bench --net.
  for m in virtio_pci virtio_console 9pnet_virtio 9p tun vhost_vsock; do add "$m" order9p || return 1; done
  add kvm_amd orderkvm || return 1
  for m in 9p 9pnet_virtio kvm kvm_amd; do
    [ -n "${path[$m]:-}" ] || grep -q "/${m//_/[-_]}\.ko" "$moddir/modules.builtin" 2>/dev/null \
      || { note "the kernel $kpkg has no module $m."; return 1; }
  done
  printf '%s\n' "${order9p[@]}" >"$stage/etc/vmm-modules.9p"
  printf '%s\n' "${orderkvm[@]}" >"$stage/etc/vmm-modules.kvm"

  mkdir -p "${initrd%/*}"
  # Packed under a private name, then renamed: a concurrent run sees the whole image or none.
  out=$(mktemp "$initrd.XXXXXX") || return 1
  own_tmp+=("$out")
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out" && mv "$out" "$initrd" && rm -rf "$stage"
}
# Temporary files of runs that were killed (an hour old: no run takes that long to build).
find "$VMM_CACHE" -maxdepth 1 -name 'tmp.*' -mmin +60 -exec rm -rf {} + 2>/dev/null
find "$VMM_CACHE/initramfs" -maxdepth 1 -name '*.cpio.*' -mmin +60 -delete 2>/dev/null
# Marked as in use first, so that a concurrent run's clean-up below leaves it alone.
touch -c "$initrd"
if [ ! -s "$initrd" ]; then
  note "building the guest's initramfs for $kver (cached under $VMM_CACHE/initramfs)"
  build_initrd || fatal "could not build the initramfs for $kpkg."
  # Images for other init scripts or dropped kernels: other clones of the project may still use
  # some (the cache is shared), so only those unused for a week go.
  find "$VMM_CACHE/initramfs" -name '*.cpio' -mtime +7 -delete 2>/dev/null
fi

# ---- Control folder: command, environment and guest settings in; exit status out. ----
ctl=$(mktemp -d "${TMPDIR:-/tmp}/vmm-sandbox.XXXXXX") || fatal "could not create a control folder."
own_tmp+=("$ctl")

squote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
{
  echo "PROFILE=$(squote "$profile")"
  echo "KVM_AMD_OPTS=$(squote "$kvm_amd_opts")"
  echo "PROJ=$(squote "$VMM_ROOT")"
  echo "HOSTNAME_=$(squote "$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)")"
  echo "SHELL_=$(squote "${BASH:-/bin/bash}")"
} >"$ctl/guest.conf"
{
  echo "# written by scripts/sandbox.sh; run by bash in the guest's chroot"
  for v in $(compgen -e); do
    case $v in
      PATH|JAVA_HOME|HOME|CI|TERM|LANG|VMM_*|MAVEN_*) [ "$v" = VMM_KERNEL_PROFILE ] || printf 'export %s=%q\n' "$v" "${!v}" ;;
    esac
  done
  printf 'export VMM_KERNEL_PROFILE=%q\n' "$profile"
  # The physical path: the guest has the project at VMM_ROOT's, not at a symlink's.
  printf 'cd -- %q 2>/dev/null || { echo %q >&2; cd /; }\n' "$(pwd -P)" \
    "vmm sandbox: the working folder $(pwd -P) is not visible in the guest (below /tmp?); running in /."
  printf 'exec'; printf ' %q' "$@"; printf '\n'
} >"$ctl/cmd.sh"

# ---- Boot. ----
# The kernel's own messages (warnings and worse) go to a second UART, ttyS1, kept in a file: on a
# guest failure its tail, and the start of its first oops or panic (the call trace in between can
# be long), are what explain it. ttyS0 carries the init script's messages.
kernel_log_tail() {
  [ -s "$ctl/kernel.log" ] || return 0
  local first
  first=$(grep -n -m 1 -E 'BUG:|Oops|general protection|double fault|Kernel panic' "$ctl/kernel.log" | cut -d: -f1) || first=""
  if [ -n "$first" ]; then
    note "the guest kernel's first oops or panic, from 5 lines before it:"
    sed -n "$((first > 5 ? first - 5 : 1)),$((first + 34))p" "$ctl/kernel.log" | tr -d '\r' | sed 's/^/  | /' >&2
  fi
  note "the last kernel messages of the guest:"
  tail -n 40 "$ctl/kernel.log" | tr -d '\r' | sed 's/^/  | /' >&2
}

# QEMU writes the guest's output into FIFOs that these two cats forward (a stdio chardev would
# treat the end of stdin as a disconnect and drop the output).
mkfifo "$ctl/stdout" "$ctl/stderr" || fatal "could not create FIFOs in $ctl."

# Options of the form key=value,key=value take a comma in a value doubled (a project path may have
# one); -kernel and -initrd take the file name as it is, where ",," would be two commas.
qctl=${ctl//,/,,} qroot=${VMM_ROOT//,/,,}
# shellcheck disable=SC2054 # QEMU's option values are comma-separated lists
# Multi-threaded TCG only with a QEMU that runs live-patched code correctly (fetch_sandbox_qemu).
qemu=("$sandbox_qemu" ${sandbox_qemu_data:+-L "$sandbox_qemu_data"} -nodefaults -no-user-config -display none -monitor none -no-reboot
  -machine q35 -accel tcg,thread="$tcg_threads" -cpu max -smp "$cpus" -m "$mem"
  -kernel "$vmlinuz" -initrd "$initrd"
  -append "console=ttyS1 loglevel=5 panic=-1 mitigations=off${VMM_SANDBOX_TRACE:+ vmm.trace=1}"
  -chardev file,id=con,path="$qctl/stderr" -serial chardev:con
  -chardev file,id=klog,path="$qctl/kernel.log" -serial chardev:klog
  -device virtio-serial-pci,id=vser
  -chardev file,id=out,path="$qctl/stdout" -device virtserialport,bus=vser.0,nr=1,chardev=out,name=vmm.stdout
  -chardev file,id=err,path="$qctl/stderr" -device virtserialport,bus=vser.0,nr=2,chardev=err,name=vmm.stderr
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
  -virtfs local,path="$qroot",mount_tag=proj,security_model=none,multidevs=remap
  -virtfs local,path="$qctl",mount_tag=ctl,security_model=none)

# A guest that dies before the command started (seen under QEMU 7.2's multi-threaded TCG) is
# booted again: the command has not run, so nothing happens twice.
for attempt in 1 2 3; do
  cat "$ctl/stdout" &
  opid=$!
  cat "$ctl/stderr" >&2 &
  epid=$!
  note "booting Linux $kshow (profile $profile) under QEMU $qemu_version's TCG ($tcg_threads-threaded)..."
  "${qemu[@]}" </dev/null &
  qpid=$!
  # The timer: $timeout s, or 20 s once the guest has reported the command's exit status, so that a
  # guest hanging on its way down (seen: the emulated kernel deadlocked while patching its text
  # as the last VMs closed) costs 20 s, not the whole timeout. A guest kernel whose CPU has been
  # stuck for 100 s or more (seen: a 9p request's virtqueue kick that never returned, the tests
  # waiting on it) ends the run as soon as its watchdog says so, not at the timeout.
  (
    end=$((SECONDS + timeout))
    while [ "$SECONDS" -lt "$end" ]; do
      [ -f "$ctl/status" ] && { sleep 20; exit 0; }
      grep -qE 'soft lockup - CPU#[0-9]+ stuck for [0-9]{3,}s' "$ctl/kernel.log" 2>/dev/null && exit 2
      sleep 0.5
    done
    exit 1
  ) &
  spid=$!
  wait -n -p ended "$qpid" "$spid"
  qrc=$?
  if [ "${ended:-}" = "$spid" ]; then
    spid=""
    kill -KILL "$qpid" 2>/dev/null
    wait "$qpid" 2>/dev/null
    qpid=""
    if [ "$qrc" = 0 ]; then
      note "the guest did not power off within 20 s of the command's end (profile $profile); stopped it."
    elif [ "$qrc" = 2 ]; then
      note "the guest kernel stalled: a CPU stuck for 100 s or more (profile $profile); stopped it."
      kernel_log_tail
      exit 124
    else
      note "the guest did not finish within $timeout s (profile $profile); stopped it."
      kernel_log_tail
      exit 124
    fi
  fi
  qpid=""
  [ -z "$spid" ] || { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=""; }
  # Let the forwarders drain; they never end by themselves if QEMU died before opening the FIFOs.
  for _ in $(seq 40); do { kill -0 "$opid" || kill -0 "$epid"; } 2>/dev/null || break; sleep 0.05; done
  kill "$opid" "$epid" 2>/dev/null; wait "$opid" "$epid" 2>/dev/null; opid="" epid=""

  if [ -f "$ctl/status" ]; then
    rc=$(cat "$ctl/status")
    [[ $rc =~ ^[0-9]+$ ]] || fatal "the guest wrote an unreadable exit status '$rc'."
    exit "$rc"
  fi
  [ -f "$ctl/error" ] && { kernel_log_tail; fatal "$(cat "$ctl/error")"; }
  kernel_log_tail
  [ "$qrc" = 0 ] || fatal "QEMU failed (exit status $qrc) before the command finished; see its messages above."
  [ -f "$ctl/started" ] && break
  [ "$attempt" -lt 3 ] && note "the guest stopped while booting, before the command started (attempt $attempt of 3); booting it again."
done
fatal "the guest stopped without reporting an exit status (kernel panic or module failure? see the messages above; profile $profile, $kpkg)."
