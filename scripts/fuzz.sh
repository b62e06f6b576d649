#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm fuzz: runs the fuzz targets, JUnit test classes named *FuzzTest and tagged "fuzz", for N
# seconds each with a fresh random seed that they print. (./vmm test runs them too, with a fixed
# seed and input budget: that is what they do when vmm.fuzz.seconds is not set.)
# Usage: ./vmm fuzz [TARGET] [--seconds N]
#   TARGET     the classes whose simple name contains it, in any case (default: every one)
#   --seconds  how long each target runs (default 60)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

target="" seconds=60
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) [ $# -ge 2 ] || die "--seconds needs a value, e.g. --seconds 300."; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    -h|--help) script_help "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) die "Unknown option '$1' for ./vmm fuzz: use ./vmm fuzz [TARGET] [--seconds N]." ;;
    *) [ -z "$target" ] || die "./vmm fuzz takes one TARGET, not both '$target' and '$1'."; target=$1; shift ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || die "--seconds needs a positive whole number, not '$seconds'."

# The targets are the *FuzzTest.java files of the modules' tests; the chosen ones by simple name.
cd "$VMM_ROOT"
shopt -s globstar nullglob
sources=(*/src/test/java/**/*FuzzTest.java)
shopt -u globstar nullglob
available=() classes=() modules=()
for f in "${sources[@]}"; do
  name=${f##*/}; name=${name%.java}
  available+=("$name")
  if [[ ${name,,} == *"${target,,}"* ]]; then
    classes+=("$name")
    [[ " ${modules[*]} " == *" ${f%%/*} "* ]] || modules+=("${f%%/*}")
  fi
done
[ ${#available[@]} -gt 0 ] || die "There are no fuzz targets: no *FuzzTest.java under */src/test/java in $VMM_ROOT."
join() { local sep=$1 s; shift; s=$(printf "$sep%s" "$@"); echo "${s#"$sep"}"; }
[ ${#classes[@]} -gt 0 ] || die "No fuzz target matches '$target': the targets are $(join ', ' "${available[@]}")."

use_jdk
say "fuzzing $(join ', ' "${classes[@]}") for $seconds s each (JDK: $JAVA_HOME); Surefire names each as it starts (Running ...)"
# The parent pom sets Surefire's excludedGroups from vmm.test.excludedGroups (kvm), so that is the
# property to clear: only the fuzz group runs, every test of it. A module without a chosen class
# (built for the others) runs no tests.
mvn -B -ntp test -pl "$(join , "${modules[@]}")" -am -Dtest="$(join , "${classes[@]}")" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dgroups=fuzz -Dvmm.test.excludedGroups= -Dvmm.fuzz.seconds="$seconds" \
  || { say "The fuzz run failed: see the messages above (each target printed the seed it used)."; exit 1; }
say "every target ran $seconds s without a failure."
