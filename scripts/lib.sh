# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the ./vmm subcommands. Sourced, not run.
# shellcheck shell=bash

VMM_ROOT=${VMM_ROOT:-$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}
# Downloads and built images live here, outside git; reused across clones of the project.
VMM_CACHE=${VMM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm}

say() { printf 'vmm: %s\n' "$*" >&2; }
die() { printf 'vmm: %s\n' "$*" >&2; exit 2; }
# A subcommand's --help: the header comment of its script (from line 2 to the first line that is not a comment).
script_help() { sed -n '2,/^[^#]/{/^#/!d;/shellcheck/d;/SPDX-License-Identifier/d;s/^# \{0,1\}//;p}' "$1"; }

# Under set -e a failing command ends the script without a word: name it, so that no run ends
# silently (scripts that run without -e, like sandbox.sh, check their commands themselves).
on_error() { # STATUS LINE COMMAND
  say "${BASH_SOURCE[1]##*/}, line $2: '${3%%$'\n'*}' failed unexpectedly (exit status $1)."
  exit "$1"
}
if [[ $- == *e* ]]; then trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR; fi

# Whether this machine has a /dev/kvm we may open (any flavour: VMX, SVM or PVM).
host_kvm_usable() { [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null; }

# Whether this machine's KVM is PVM (kvm_pvm): no VMX or SVM, real mode emulated, and only kernels
# built as PVM guests boot (the same test as KvmVendor in vmm-core).
host_kvm_is_pvm() { [ -d /sys/module/kvm_pvm ]; }

# Prints the path of a JDK >= 25: JAVA_HOME, then javac on PATH, then the usual install places.
find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  # VMM_JDK_DIRS replaces the usual places (tests use it to simulate a machine without JDK 25).
  local places=${VMM_JDK_DIRS:-"/usr/lib/jvm/* /opt/java/* /opt/jdk* $HOME/.sdkman/candidates/java/* $HOME/.jdks/*"}
  for c in $places; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [[ -x $c/bin/javac && -x $c/bin/java ]] || continue
    v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

# Exports JAVA_HOME (and PATH) for a JDK >= 25, or stops with one sentence.
use_jdk() {
  local jdk
  jdk=$(find_jdk) || die "No JDK 25 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm): install one (e.g. Temurin 25) and set JAVA_HOME to it."
  export JAVA_HOME=$jdk
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8 bundles a Guava that warns about sun.misc.Unsafe on JDK 24+; the warning is noise.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# The launcher's JVM options. It measures the guest, not itself: a light JIT and GC start it quickly.
# shellcheck disable=SC2034 # used by the scripts that source this one
LAUNCHER_JVM_OPTS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1)

# Builds the boot launcher (./vmm boot, ./vmm bench --disk) after use_jdk; sets launcher_jar (the
# examples jar, relative to VMM_ROOT) and launcher_cp (that jar, then vmm-core, vmm-ffm and the rest,
# from the test-classpath.txt the parent pom writes). Jars, not class folders: an AOT cache (--aot)
# accepts only jars.
# shellcheck disable=SC2034 # launcher_cp is a result for the callers
build_launcher() {
  local jars
  say "building the launcher (JDK: $JAVA_HOME)"
  # -DskipTests: the layout test, the one that needs -Dvmm.uapi.include, does not run. Maven's
  # output goes to stderr: stdout is the launcher's alone (--json).
  # (Maven 3.8 on JDK 25 prints stray colour codes even in batch mode: they are dropped.)
  (cd "$VMM_ROOT" && mvn -B -q -ntp -DskipTests package -pl examples -am) 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^$' >&2 \
    || [ "${PIPESTATUS[0]}" = 0 ] || die "The build failed: see the messages above."
  jars=("$VMM_ROOT"/examples/target/examples-*.jar)
  launcher_jar=${jars[0]#"$VMM_ROOT"/}
  [ -f "$VMM_ROOT/$launcher_jar" ] || die "The build left no examples/target/examples-*.jar: run ./vmm build and look at its messages."
  launcher_cp="$VMM_ROOT/$launcher_jar:$(cat "$VMM_ROOT/examples/target/test-classpath.txt")"
}

# The launcher's AOT cache (JDK 25, JEP 483 and 514): the classes a training boot loaded and linked,
# which later JVMs start with ready. One per build of the project's jars and these JVM options: the
# project's own jars (those below VMM_ROOT; the others are versioned in ~/.m2) go into its name's key.
# ./vmm boot trains it; ./vmm restore, same class path and options, starts from it when it is there.
# Args: the JVM command (java and its options). Prints the cache's path; needs build_launcher first.
launcher_aot_file() {
  local key
  key=$( { "$1" -version 2>&1; printf '%s\n' "$@"; cat "$VMM_ROOT/$launcher_jar";
           tr ':' '\n' <"$VMM_ROOT/examples/target/test-classpath.txt" | root="$VMM_ROOT/" awk 'index($0, ENVIRON["root"]) == 1' \
             | xargs -r -d '\n' cat; } | sha256sum | cut -c1-16) \
    || die "Could not compute the key of the launcher's AOT cache from its jars (see the messages above): run ./vmm build and try again."
  printf '%s\n' "$VMM_ROOT/target/boot-aot/launcher-$key.aot"
}

# An AOT cache's stamp: FILE.stamp beside it, its size and modification time once its training
# succeeded. A cache that no longer matches was changed or cut short since (a full disk, a copy
# broken off), and the JVM would refuse it with lines of errors: the scripts train it anew, or start
# without it, and say so in one line instead.
AOT_STAMP_FORMAT='%s %Y'
aot_intact() { [ -s "$1" ] && [ -f "$1.stamp" ] && [ "$(stat -c "$AOT_STAMP_FORMAT" "$1")" = "$(cat "$1.stamp")" ]; }

# Where a stock Linux guest runs (./vmm boot, ./vmm restore): sets where=host on this machine's
# /dev/kvm, or where=sandbox (6.12) when there is none or it is PVM, which runs only PVM-enabled
# guest kernels; VMM_BOOT_WHERE=host|sandbox overrides. Arg: what is done ("booting", "restoring").
choose_where() {
  where=${VMM_BOOT_WHERE:-}
  case $where in
    host) say "VMM_BOOT_WHERE=host: $1 on this machine's /dev/kvm" ;;
    sandbox) say "VMM_BOOT_WHERE=sandbox: $1 inside the 6.12 sandbox" ;;
    '')
      if host_kvm_usable && ! host_kvm_is_pvm; then
        where=host; say "$1 on this machine's /dev/kvm"
      elif host_kvm_usable; then
        where=sandbox; say "this machine's /dev/kvm is PVM, which runs only PVM-enabled guest kernels: $1 inside the 6.12 sandbox"
      else
        where=sandbox; say "this machine has no usable /dev/kvm: $1 inside the 6.12 sandbox"
      fi ;;
    *) die "VMM_BOOT_WHERE must be host or sandbox, not '$where'." ;;
  esac
}

# Installs Debian packages that are missing. Args: "command:package" pairs.
ensure_debs() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "Missing Debian packages ${missing[*]}: install them with 'sudo apt-get install ${missing[*]}' and run again."
  say "installing Debian packages: ${missing[*]}"
  apt_updated || die "apt-get update failed: check the network access to Debian's package mirror."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed: see the messages above."
}

_apt_updated=0
apt_updated() {
  [ "$_apt_updated" = 1 ] && return 0
  apt-get update -q >&2 && _apt_updated=1
}

# Prints the newest package name matching an extended regex, updating apt's lists when needed.
newest_deb() {
  local regex=$1 name
  name=$(apt-cache search --names-only "$regex" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)
  if [ -z "$name" ]; then
    apt_updated || return 1
    name=$(apt-cache search --names-only "$regex" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1)
  fi
  [ -n "$name" ] && echo "$name"
}

# Downloads a Debian package (not installed) and unpacks it under the cache.
# Prints the folder it was unpacked into. Reuses an earlier download.
fetch_deb() {
  local pkg=$1 dir="$VMM_CACHE/debs/$1" tmp
  if [ ! -f "$dir/.done" ]; then
    say "downloading $pkg (first time only; cached under $VMM_CACHE)"
    tmp=$(mktemp -d "$VMM_CACHE/tmp.XXXXXX") || return 1
    # Unpacked in a private folder, then renamed into place: concurrent runs (the cache is shared)
    # see all of it or nothing, and never remove each other's files. The first one done wins; a
    # folder without .done is what an older version of this left, unpacking in place, or crashed.
    if { (cd "$tmp" && apt-get download -q "$pkg" >&2) || { apt_updated && (cd "$tmp" && apt-get download -q "$pkg" >&2); }; } \
        && dpkg-deb -x "$tmp"/*.deb "$tmp/unpacked" && touch "$tmp/unpacked/.done" && mkdir -p "${dir%/*}"; then
      mv -T "$tmp/unpacked" "$dir" 2>/dev/null || [ -f "$dir/.done" ] \
        || { mv -T "$dir" "$tmp/old" && mv -T "$tmp/unpacked" "$dir"; }
    fi
    rm -rf "$tmp"
  fi
  [ -f "$dir/.done" ] && echo "$dir"
}

# The QEMU the sandbox runs, for multi-threaded TCG. QEMU 7.2 (Debian 12's) lets a vCPU run stale
# code after another patched it, which kills guest kernels that live-patch their text
# (scripts/tcg-smc-check.sh shows it in seconds); 10.0 does not. A system QEMU of 10 or newer is
# used as it is; on Debian 12, bookworm-backports' is downloaded once into the cache (not installed:
# the system's QEMU stays, and its libraries serve). Sets sandbox_qemu (the binary) and
# sandbox_qemu_data (its firmware folder, empty for the system's); returns 1 when there is none.
# shellcheck disable=SC2034 # sandbox_qemu and sandbox_qemu_data are results for the callers
fetch_sandbox_qemu() {
  local major dir="$VMM_CACHE/qemu-backports" tmp codename=""
  major=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
  if [ "${major:-0}" -ge 10 ]; then
    sandbox_qemu=qemu-system-x86_64 sandbox_qemu_data=""
    return 0
  fi
  if [ ! -f "$dir/.done" ]; then
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    [ "$codename" = bookworm ] || return 1
    say "downloading QEMU from bookworm-backports for the sandbox (first time only; cached under $VMM_CACHE)"
    mkdir -p "$VMM_CACHE" && tmp=$(mktemp -d "$VMM_CACHE/tmp.XXXXXX") || return 1
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs"
    echo "deb http://deb.debian.org/debian bookworm-backports main" >"$tmp/sources.list"
    local apt=(apt-get -q -o "Dir::Etc::sourcelist=$tmp/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$tmp/lists"
      -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root)
    if "${apt[@]}" update >&2 && (cd "$tmp/debs" && "${apt[@]}" download qemu-system-x86 qemu-system-common qemu-system-data >&2) \
        && for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp/unpacked" || exit 1; done \
        && "$tmp/unpacked/usr/bin/qemu-system-x86_64" --version >/dev/null && touch "$tmp/unpacked/.done"; then
      mv -T "$tmp/unpacked" "$dir" 2>/dev/null || [ -f "$dir/.done" ] || { rm -rf "$dir" && mv -T "$tmp/unpacked" "$dir"; }
    fi
    rm -rf "$tmp"
  fi
  [ -f "$dir/.done" ] || return 1
  sandbox_qemu=$dir/usr/bin/qemu-system-x86_64 sandbox_qemu_data=$dir/usr/share/qemu
}

# ---- What ./vmm bench --disk and --net share: each runs itself again ("inner") where KVM boots stock
# kernels, comparing the launcher with QEMU's microvm, and writes its results into an output folder.

# The images both VMMs boot (scripts/boot-assets.sh), the launcher built, and its default command
# line (which its --help names). Sets kernel, initrd, rootfs, rootfs_initrd and cmdline.
# shellcheck disable=SC2034 # results for the callers
bench_images() { # LAUNCHER_MAIN_CLASS
  local assets
  assets=$(bash "$VMM_ROOT/scripts/boot-assets.sh") || die "Could not prepare the kernel and images: see the messages above."
  kernel=$(sed -n 's/^VMM_BOOT_KERNEL=//p' <<<"$assets") initrd=$(sed -n 's/^VMM_BOOT_INITRD=//p' <<<"$assets")
  rootfs=$(sed -n 's/^VMM_BOOT_ROOTFS=//p' <<<"$assets") rootfs_initrd=$(sed -n 's/^VMM_BOOT_ROOTFS_INITRD=//p' <<<"$assets")
  use_jdk
  build_launcher
  cmdline=$("$JAVA_HOME/bin/java" "${LAUNCHER_JVM_OPTS[@]}" -cp "$launcher_cp" "$1" --help | sed -n 's/^ *--cmdline .*(default: \(.*\))$/\1/p')
  [ -n "$cmdline" ] || die "Could not read the launcher's default command line from its --help."
}

# The folder the run writes into: OUT itself when a sandbox guest can write there (inside the
# project), else a staging folder in target/ that bench_publish copies over. Sets run_dir.
bench_run_dir() { # OUT NAME
  mkdir -p "$1"
  run_dir=$1
  case "$1/" in
    "$VMM_ROOT"/*) ;;
    *) run_dir="$VMM_ROOT/target/$2-staging.$$"; rm -rf "$run_dir" ;;
  esac
  mkdir -p "$run_dir"
}

# Runs INNER on this machine's /dev/kvm when it boots stock kernels, else inside the 6.12 sandbox
# with SANDBOX_OPTIONS, noting the machine's load and other QEMUs before. Sets where, status,
# took (s), host_load, host_load_after and others.
# shellcheck disable=SC2034 # results for the callers
bench_run() { # SANDBOX_OPTIONS... -- INNER...
  local sandbox_options=() f start
  while [ "$1" != -- ]; do sandbox_options+=("$1"); shift; done
  shift
  host_load=$(cut -d' ' -f1-3 /proc/loadavg)
  others=$(pgrep -c -f '^qemu-system-x86_64( |$)' || true)
  [ "${others:-0}" = 0 ] || say "warning: $others other QEMU process(es) run on this machine: they take CPU time from the benchmark."
  status=0 start=$SECONDS
  if host_kvm_usable && ! host_kvm_is_pvm; then
    where="this machine's /dev/kvm"
    say "running on $where"
    "$@" || status=$?
  else
    where="the 6.12 sandbox (nested, emulated KVM)"
    # The sandbox mounts a fresh tmpfs on /tmp, which hides the host's.
    for f in "$kernel" "$initrd" "$rootfs" "$rootfs_initrd"; do
      case $f in /tmp/*) die "$f lies below /tmp, which the sandbox cannot see: set VMM_CACHE to a folder elsewhere." ;; esac
    done
    say "this machine has no /dev/kvm that boots stock kernels: running inside $where"
    bash "$VMM_ROOT/scripts/sandbox.sh" --kernel 6.12 "${sandbox_options[@]}" -- "$@" || status=$?
  fi
  took=$((SECONDS - start))
  host_load_after=$(cut -d' ' -f1-3 /proc/loadavg)
}

# Moves a staged run into OUT and prints its summary.
bench_publish() { # OUT
  if [ "$run_dir" != "$1" ]; then
    cp -r "$run_dir"/. "$1"/ && rm -rf "$run_dir"
  fi
  cat "$1/summary.md"
}

# The initramfs images need the static busybox; the busybox package (dynamic) owns /bin/busybox too.
ensure_static_busybox() {
  if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || [ ! -x /bin/busybox ]; then
    ensure_debs vmm-needs-busybox-static:busybox-static
  fi
  [ -x /bin/busybox ]
}

# The stock Debian kernel packages of a series (6.12, 6.1, cloud), as an extended regex for apt-cache.
# cloud is Debian 12's 6.1 cloud flavour (no /dev/port, no MP tables, few drivers). No two regexes
# may match the same package: fetch_kernel drops the other unpacked packages its series matches.
kernel_regex() {
  case $1 in
    6.12)  echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
    6.1)   echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
    cloud) echo '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
    *) return 1 ;;
  esac
}

# apt-cache takes most of a second; its answer only changes with apt's lists, so it is remembered.
_lists_stamp() { stat -c %Y /var/lib/apt/lists/*Packages* 2>/dev/null | sort -n | tail -n 1; }

# Newest kernel package of a series, downloaded and unpacked once: sets kernel_pkg and kernel_dir.
# Without the package mirror it falls back to the newest one already unpacked (kernel_cached=1);
# returns 1 when there is none at all. Older unpacked kernels of the series are dropped.
# shellcheck disable=SC2034 # kernel_cached is a result for the callers, like kernel_pkg and kernel_dir
fetch_kernel() {
  local series=$1 regex memo m_stamp m_pkg d n
  regex=$(kernel_regex "$series") || return 1
  memo="$VMM_CACHE/initramfs/newest-$series"
  kernel_pkg="" kernel_dir="" kernel_cached=0
  if read -r m_stamp m_pkg 2>/dev/null <"$memo" && [ "$m_stamp" = "$(_lists_stamp)" ] \
      && [ -f "$VMM_CACHE/debs/$m_pkg/.done" ] && [[ $m_pkg =~ $regex ]]; then
    kernel_pkg=$m_pkg kernel_dir="$VMM_CACHE/debs/$m_pkg"
  else
    kernel_pkg=$(newest_deb "$regex") || kernel_pkg=""
  fi
  if [ -n "$kernel_pkg" ] && [ -z "$kernel_dir" ]; then
    kernel_dir=$(fetch_deb "$kernel_pkg") || {
      # The lists may name a package the mirror has dropped: refresh them and resolve again.
      apt_updated && kernel_pkg=$(newest_deb "$regex") && kernel_dir=$(fetch_deb "$kernel_pkg")
    } || kernel_dir=""
  fi
  if [ -z "$kernel_dir" ]; then
    kernel_pkg=$(for d in "$VMM_CACHE"/debs/*; do
      if [ -f "$d/.done" ] && [[ ${d##*/} =~ $regex ]]; then echo "${d##*/}"; fi
    done | sort -V | tail -n 1)
    [ -n "$kernel_pkg" ] || return 1
    kernel_dir="$VMM_CACHE/debs/$kernel_pkg" kernel_cached=1
  else
    # Written under a private name and renamed: concurrent runs read one whole line or none.
    mkdir -p "${memo%/*}" && echo "$(_lists_stamp) $kernel_pkg" >"$memo.$$" && mv "$memo.$$" "$memo"
    # Drop older unpacked kernels of the same series (a few hundred MB each), unless a run used
    # one in the last hour (the cache is shared: one may still be booting it).
    for d in "$VMM_CACHE"/debs/*; do
      n=${d##*/}
      if [ "$n" != "$kernel_pkg" ] && [[ $n =~ $regex ]] && [ -z "$(find "$d/.done" -mmin -60 2>/dev/null)" ]; then
        rm -rf "$d"
      fi
    done
  fi
  touch -c "$kernel_dir/.done" # in use (see above)
  return 0
}

mkdir -p "$VMM_CACHE" 2>/dev/null || true
