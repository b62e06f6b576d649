#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The library as a user gets it: builds scripts/consumer (a small separate Maven project whose
# module requires dev.vmm.core) against the artifacts ./vmm release staged, with a local
# repository of its own (nothing of the project's build or ~/.m2's dev.vmm artifacts can stand in),
# checks that the dependency brings exactly vmm-core and vmm-ffm and that a user's module cannot
# reach the raw downcalls (scripts/consumer/probe must not compile), and runs the program on real KVM
# on the module path (recording its JFR events) and on the class path: this machine's /dev/kvm
# when it has one, else the 6.12 sandbox. Prints one line per check, "consumer-test: PASS ..." or "consumer-test: FAIL ...", and
# exits 1 if any failed.
# Usage: scripts/consumer-test.sh STAGING_REPOSITORY VERSION
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# = 2 ] || die "usage: scripts/consumer-test.sh STAGING_REPOSITORY VERSION"
staging=$(readlink -f -- "$1") version=$2
[ -d "$staging/dev/vmm/vmm-core/$version" ] || die "$staging holds no dev.vmm:vmm-core:$version: run ./vmm release first."
use_jdk

# Below the project folder, which the sandbox mounts writable at the same path.
work="$VMM_ROOT/target/consumer-test"
{ rm -rf "$work" && mkdir -p "$work"; } || die "Cannot create $work."
cp -r "$VMM_ROOT/scripts/consumer" "$work/project"
sed -i -e "s|@VERSION@|$version|" -e "s|@STAGING@|file://$staging|" "$work/project/pom.xml"
# Plugins and their dependencies come from ~/.m2 (the project's build fetched them), read as a
# remote repository; dev.vmm comes only from the staging repository.
cat >"$work/settings.xml" <<EOF
<settings>
  <mirrors>
    <mirror><id>host-m2</id><mirrorOf>*,!vmm-staging</mirrorOf><url>file://$HOME/.m2/repository</url></mirror>
  </mirrors>
</settings>
EOF

failed=0
pass() { echo "consumer-test: PASS $*"; }
fail() { echo "consumer-test: FAIL $*"; failed=1; }

cd "$work/project"
if mvn -B -q -ntp -s "$work/settings.xml" -Dmaven.repo.local="$work/m2" package dependency:copy-dependencies \
     -DincludeScope=runtime -DoutputDirectory=target/lib >"$work/build.log" 2>&1; then
  pass "build: a separate project compiles against dev.vmm:vmm-core, its version from dev.vmm:vmm-bom:$version, from the staging repository"
else
  sed 's/\x1b\[[0-9;]*m//g' "$work/build.log" | grep -v '^$' | tail -n 20 >&2
  fail "build: the separate project did not build against the staged artifacts (above)"
  exit 1
fi
libs=$(find target/lib -maxdepth 1 -type f -printf '%f\n' | sort | paste -sd' ')
if [ "$libs" = "vmm-core-$version.jar vmm-ffm-$version.jar" ]; then
  pass "dependencies: vmm-core brings vmm-ffm and nothing else at run time"
else
  fail "dependencies: expected vmm-core-$version.jar vmm-ffm-$version.jar at run time, got: $libs"
fi

jar="$work/project/target/vmm-consumer-1.jar" lib="$work/project/target/lib"
# The module boundary: a user's module that calls the raw downcalls must not compile.
if "$JAVA_HOME/bin/javac" -p "$lib" -d "$work/probe" "$VMM_ROOT/scripts/consumer/probe/module-info.java" \
     "$VMM_ROOT/scripts/consumer/probe/dev/vmm/probe/RawCall.java" >"$work/probe.log" 2>&1; then
  fail "module boundary: a module that requires dev.vmm.core compiled a call to dev.vmm.ffm.libc.Libc"
elif grep -q "package dev.vmm.ffm.libc is not visible" "$work/probe.log"; then
  pass "module boundary: dev.vmm.ffm.libc (the raw downcalls) is not visible to a user's module"
else
  fail "module boundary: the probe failed to compile for another reason: $(head -n 3 "$work/probe.log")"
fi
java=$JAVA_HOME/bin/java
# The module path run is recorded too: the library's JFR events must work from a named module.
module_run=("$java" --enable-native-access=dev.vmm.ffm -XX:StartFlightRecording:filename="$work/module.jfr" -p "$jar:$lib" -m dev.vmm.consumer/dev.vmm.consumer.Main)
class_run=("$java" --enable-native-access=ALL-UNNAMED -cp "$jar:$lib/*" dev.vmm.consumer.Main)
script="$(printf '%q ' "${module_run[@]}") >$(printf '%q' "$work/module.out") 2>&1;"
script+=" $(printf '%q ' "${class_run[@]}") >$(printf '%q' "$work/class.out") 2>&1; true"
if host_kvm_usable; then
  bash -c "$script"
else
  bash "$VMM_ROOT/scripts/sandbox.sh" --kernel 6.12 --timeout 600 -- bash -c "$script" >&2 \
    || fail "run: the 6.12 sandbox did not run the consumer (above)"
fi
for run in module class; do
  out=$(cat "$work/$run.out" 2>/dev/null || true)
  case $run in
    module) where="module dev.vmm.core" ;;
    class) where="the unnamed module" ;;
  esac
  if grep -q "^consumer: the guest wrote \"A\" and halted; KVM_CAP_PRE_FAULT_MEMORY [0-9]*; library in $where\$" <<<"$out"; then
    pass "$run path: $(grep '^consumer:' <<<"$out")"
  else
    fail "$run path: the program did not run a guest on KVM as expected; it printed: ${out:-nothing}"
  fi
done
if "$JAVA_HOME/bin/jfr" summary "$work/module.jfr" 2>/dev/null \
     | grep -Eq '^ +dev\.vmm\.VmCreated +1 '; then
  pass "JFR: the module path run recorded its dev.vmm.VmCreated event"
else
  fail "JFR: no dev.vmm.VmCreated event in the module path run's recording ($work/module.jfr)"
fi
exit "$failed"
