#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm test: build, host tests, then the KVM tests on real KVM for each kernel profile.
# Usage: ./vmm test [--profiles "host 6.12 6.12-nonpt 6.1"] [--host-only]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The machine's own KVM first, when it has one; then each sandbox kernel.
host_kvm=""
host_kvm_usable && host_kvm="host "
profiles=${VMM_TEST_PROFILES:-"${host_kvm}6.12 6.12-nonpt 6.1"}
host_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --profiles) [ $# -ge 2 ] || die "--profiles needs a value, e.g. --profiles \"6.12 6.12-nonpt\"."; profiles=$2; shift 2 ;;
    --host-only) host_only=1; shift ;;
    -h|--help) script_help "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "Unknown option '$1' for ./vmm test: use --profiles \"host 6.12 6.12-nonpt 6.1\" (any of them) or --host-only." ;;
  esac
done

# The tags to leave out on the host's own KVM, by the kernel's own rule for KVM_CAP_PRE_FAULT_MEMORY
# (Linux 6.10+ with EPT or NPT; PVM has neither) and whether real mode runs on the CPU.
host_exclusions() {
  local major minor tdp=N
  IFS=. read -r major minor _ < /proc/sys/kernel/osrelease
  for p in /sys/module/kvm_amd/parameters/npt /sys/module/kvm_intel/parameters/ept; do
    [ -r "$p" ] && tdp=$(cat "$p")
  done
  minor=${minor%%[!0-9]*} # 6.12-rc1 -> 12
  if [[ $tdp =~ ^(Y|1)$ ]] && [ $((major * 100 + minor)) -ge 610 ]; then
    host_exclude=(--exclude-tag no-prefault)
  else
    host_exclude=(--exclude-tag prefault)
  fi
  # PVM runs real mode in KVM's emulator (see VmAndVcpuTest.aTripleFaultIsAShutdown).
  host_kvm_is_pvm && host_exclude+=(--exclude-tag real-mode-in-hardware)
  return 0
}

cd "$VMM_ROOT"
total_passed=0 total_failed=0 summary=()
# Each summary line ends with its stage's time, so that where a slow run spent it shows.
stage_start=$SECONDS
took() { elapsed=" ($((SECONDS - stage_start)) s)"; stage_start=$SECONDS; }

# Every script must pass shellcheck: each one with findings counts as a failed test. (In a
# subshell: a shellcheck that cannot be installed is one failure, not the end of the run.)
say "checking the scripts with shellcheck"
sc_passed=0 sc_failed=0
if (ensure_debs shellcheck:shellcheck); then
  for f in vmm scripts/*.sh; do
    if shellcheck "$f"; then sc_passed=$((sc_passed + 1)); else sc_failed=$((sc_failed + 1)); fi
  done
else
  sc_failed=1
fi
total_passed=$((total_passed + sc_passed)) total_failed=$((total_failed + sc_failed))
took; summary+=("shellcheck: $sc_passed passed, $sc_failed failed$elapsed")

# Every source file says its licence (SPDX, Apache-2.0: LICENSE): one failed test per file without.
say "checking the licence line of every source file"
lic_failed=0 lic_passed=0
while IFS= read -r f; do
  if head -n 3 -- "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0'; then
    lic_passed=$((lic_passed + 1))
  else
    say "$f has no 'SPDX-License-Identifier: Apache-2.0' line in its first three lines"; lic_failed=$((lic_failed + 1))
  fi
done < <(git ls-files -- '*.java' '*.c' '*.sh' vmm .ci/run)
[ $((lic_passed + lic_failed)) -gt 0 ] || lic_failed=1 # not a git checkout: nothing was checked
total_passed=$((total_passed + (lic_failed == 0))) total_failed=$((total_failed + lic_failed))
took; summary+=("licence lines: $lic_passed files, $lic_failed without$elapsed")

use_jdk
report() { "$JAVA_HOME/bin/java" "$VMM_ROOT/scripts/TestReport.java" "$@"; }
# Sets passed, failed and skipped from the JUnit reports in DIR...; reports that cannot be read
# (the counter failed or printed no counts) are one failure with a message, and the run goes on.
count_reports() { # WHAT DIR...
  local what=$1 out
  shift
  if out=$(report counts "$@") && [[ $out =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+)$ ]]; then
    passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]} skipped=${BASH_REMATCH[3]} unreadable=""
  else
    say "could not read the test reports of the $what (in $*): counted as one failure."
    passed=0 failed=1 skipped=0 unreadable=" (their reports could not be read)"
  fi
}

# Runs the KVM tests that SELECTORS... pick (console launcher options), inside the sandbox of
# PROFILE (or on the host's KVM), with the class path in "cp" and the tag filter in "exclude",
# reports in DIR.
kvm_tests() { # PROFILE DIR SELECTORS...
  local profile=$1 dir=$2
  shift 2
  rm -rf "$dir"; mkdir -p "$dir"
  # A test stuck in the kernel cannot be interrupted: run each in its own thread with a timeout.
  # The whole run's limit is only a backstop for a guest kernel that stalls: on a busy machine
  # the 6.12 run took 16 minutes and more (11 on a quiet one), and 20 were once not enough.
  # JMH (the benchmark smoke run) uses sun.misc.Unsafe: allowed, without the warnings.
  bash scripts/sandbox.sh --kernel "$profile" --timeout 2400 -- "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    --sun-misc-unsafe-memory-access=allow \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djunit.jupiter.execution.timeout.default=240s -Dvmm.test.slowAfterSeconds=150 \
    -Djunit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD \
    -cp "$cp" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --disable-ansi-colors --include-tag kvm "${exclude[@]}" --fail-if-no-tests \
    "$@" --reports-dir "$dir"
}

say "preparing the Linux 6.12 uapi headers for the layout check"
uapi=$(bash scripts/uapi-headers.sh) || die "Could not prepare the 6.12 uapi headers: see the messages above."

# The ACPI tests compile and disassemble tables with Intel's iasl, an oracle that shares no code
# with ours (without it they fail under CI=true and are skipped elsewhere).
ensure_debs iasl:acpica-tools

say "building and running the host tests (JDK: $JAVA_HOME)"
rm -rf vmm-*/target/surefire-reports examples/target/surefire-reports target/kvm-tests
mvn_status=0
mvn -B -ntp verify -Dvmm.uapi.include="$uapi" || mvn_status=$?

count_reports "host tests" ./*/target/surefire-reports
total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
took; summary+=("host tests: $passed passed, $failed failed, $skipped skipped$unreadable$elapsed")
if [ "$mvn_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  total_failed=$((total_failed + 1)); summary+=("build: failed (exit $mvn_status) before all tests ran")
fi

# The library as a user gets it: a release dry run (reproducible jars, Maven Central's rules), then
# a separate project built against the staged artifacts and run on KVM (the host's, else the
# sandbox's: with --host-only, only where this machine has a usable /dev/kvm).
if [ "$mvn_status" -eq 0 ]; then
  say "release dry run, and a separate project built against the staged release"
  rel_version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -n 1)
  rel_version=${rel_version%-SNAPSHOT}
  rel_passed=0 rel_failed=0
  if bash scripts/release.sh --version "$rel_version" --out target/release; then
    rel_passed=1
    if [ "$host_only" -eq 0 ] || host_kvm_usable; then
      consumer=$(bash scripts/consumer-test.sh target/release/repository "$rel_version") || true
      printf '%s\n' "$consumer"
      rel_passed=$((rel_passed + $(grep -c '^consumer-test: PASS' <<<"$consumer" || true)))
      rel_failed=$(grep -c '^consumer-test: FAIL' <<<"$consumer" || true)
      grep -q '^consumer-test: ' <<<"$consumer" || rel_failed=1 # it ended before any check
    fi
  else
    rel_failed=1
  fi
  total_passed=$((total_passed + rel_passed)) total_failed=$((total_failed + rel_failed))
  took; summary+=("release dry run and consumer test: $rel_passed passed, $rel_failed failed$elapsed")
fi

if [ "$host_only" -eq 0 ] && [ "$mvn_status" -eq 0 ]; then
  # One class path for every module's KVM tests: test classes, main classes and their dependencies.
  cp=""
  for m in vmm-ffm vmm-core vmm-bench examples; do
    [ -d "$m/target/test-classes" ] || continue
    cp="$cp:$VMM_ROOT/$m/target/test-classes:$VMM_ROOT/$m/target/classes:$(cat "$m/target/test-classpath.txt")"
  done
  cp=$(printf '%s' "${cp#:}" | tr ':' '\n' | awk 'NF && !seen[$0]++' | paste -sd:)
  # What the Linux boot tests (6.12 only, below) boot: kernel, initramfs, vmlinux, cloud kernel;
  # the sandbox forwards VMM_* to them. Without them those tests fail under CI with their own message.
  case " $profiles " in
    *" 6.12 "*)
      assets_ok=0
      if assets=$(bash scripts/boot-assets.sh --cloud); then
        assets_ok=1
        for name in KERNEL INITRD VMLINUX CLOUD_KERNEL; do
          grep -q "^VMM_BOOT_$name=/" <<<"$assets" || assets_ok=0
        done
      fi
      if [ "$assets_ok" = 1 ]; then
        while IFS="=" read -r name value; do export "$name=$value"; done <<<"$assets"
      else
        say "could not prepare the kernel and initramfs for the Linux boot tests (see the messages above); they will not find them."
      fi ;;
  esac
  for profile in $profiles; do
    reports="$VMM_ROOT/target/kvm-tests/$profile"
    # Tests tagged "prefault" need stage-2 pre-fault support; "no-prefault" need its absence.
    case "$profile" in
      6.12) exclude=(--exclude-tag no-prefault) ;;
      6.12-nonpt|6.1) exclude=(--exclude-tag prefault) ;;
      host) host_exclusions; exclude=("${host_exclude[@]}") ;;
      *) exclude=() ;;
    esac
    # Booting Linux (tag linux-boot) runs on 6.12 only: a PVM host cannot boot stock kernels, and
    # the other sandbox profiles would only make the run longer.
    [ "$profile" = 6.12 ] || exclude+=(--exclude-tag linux-boot)
    # Hostile guests (tag hostile-guest) run on the machine's own KVM and on 6.12: the device model
    # they attack is the same on every kernel, and each sandbox run of them takes a minute or more.
    case "$profile" in host|6.12) ;; *) exclude+=(--exclude-tag hostile-guest) ;; esac
    # The benchmarks' smoke run (tag bench-smoke) too: it checks that every benchmark runs, which the
    # host (no pre-fault, as 6.12-nonpt and 6.1) and 6.12 (pre-fault) show; it took 1 to 1.5
    # minutes on each of the other two.
    case "$profile" in host|6.12) ;; *) exclude+=(--exclude-tag bench-smoke) ;; esac
    say "running the KVM tests on kernel profile $profile"
    retried="" stalled=0
    for attempt in 1 2 3; do
      status=0
      kvm_tests "$profile" "$reports" --select-package dev.vmm || status=$?
      # 125: the emulated guest kernel itself died (a rare crash of nested KVM under multi-threaded
      # TCG, its messages printed above). That says nothing about our code: run the tests once more.
      # 124: the run did not end in time, or the guest kernel's watchdog saw a CPU stuck for 100 s
      # or more. Every test has a time limit, so that is the guest kernel stalling as a whole (once
      # in CI, after it had died once; once a 9p request that never returned); the messages above
      # show where the tests and the kernel were. Run once more, at most once, within CI's time.
      if [[ $status -eq 125 && $attempt -lt 3 ]]; then
        retried=" (run $((attempt + 1)) times: the sandbox guest died under the tests before)"
        say "the sandbox guest died during the KVM tests on $profile; running them once more."
      elif [[ $status -eq 124 && $stalled -eq 0 ]]; then
        stalled=1
        retried=" (run $((attempt + 1)) times: the sandbox guest stalled under the tests before)"
        say "the sandbox guest stalled during the KVM tests on $profile; running them once more."
      else
        break
      fi
    done
    count_reports "KVM tests on $profile" "$reports"
    # Inside the sandbox a guest of ours now and then dies of a triple fault, cause unknown (the
    # README's Tests section says where it was seen). When every failure of the run is such a
    # death, the failed tests run once more, in a sandbox of their own; they count as passed only
    # if all of them pass then, and the summary says so either way.
    if [ "$profile" != host ] && [ "$failed" -gt 0 ] && [ -z "$unreadable" ] && faulted=$(report triple-faults "$reports"); then
      mapfile -t methods <<<"$faulted"
      say "vmm-sandbox-flake: on $profile, ${#methods[@]} test(s) failed only because a guest died of a triple fault (${methods[*]}); running them once more."
      # Their classes, and only those methods in them (by name: every invocation of a parameterized one).
      selectors=()
      while IFS= read -r class; do selectors+=(--select-class "$class"); done < <(printf '%s\n' "${methods[@]%%#*}" | sort -u)
      for m in "${methods[@]}"; do selectors+=(--include-methodname "$(printf '%s' "$m" | sed 's/[.$]/\\&/g')"); done
      rerun_status=0
      kvm_tests "$profile" "$reports/rerun" "${selectors[@]}" || rerun_status=$?
      if [ "$rerun_status" -eq 0 ] && out=$(report counts "$reports/rerun") && [[ $out =~ ^[1-9][0-9]*\ 0\ 0$ ]]; then
        passed=$((passed + failed)) failed=0 status=0
        retried+=" (${#methods[@]} run once more after a guest's triple fault in the sandbox, and passed)"
      else
        retried+=" (${#methods[@]} failed by a guest's triple fault, and did not all pass when run once more)"
      fi
    fi
    p=$passed f=$failed s=$skipped
    if [ "${CI:-}" = "true" ] && [ "$s" -gt 0 ]; then
      f=$((f + s)); s=0 # under CI a KVM test that did not run is a failure
    fi
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1 # the sandbox or the launcher failed before any test could report
    fi
    total_passed=$((total_passed + p)) total_failed=$((total_failed + f))
    took; summary+=("KVM tests on $profile: $p passed, $f failed, $s skipped$retried$unreadable$elapsed")
  done
fi

echo
for line in "${summary[@]}"; do echo "vmm test: $line"; done
echo "total: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] || exit 1
