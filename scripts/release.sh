#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm release: a dry run of a release to Maven Central. From a clone of the committed HEAD (so
# that nothing uncommitted slips in) it sets the release version in every POM, builds and deploys
# the published artifacts (the parent POM, the BOM, vmm-ffm and vmm-core with their sources and javadoc
# jars; examples and vmm-bench set maven.deploy.skip) into a staging repository on disk, builds
# them a second time and requires byte-identical jars (reproducible builds), and checks the staging
# repository against Central's rules (scripts/StagingCheck.java). The result is left in
# OUT/repository: what would be signed and uploaded (README, "Releasing").
# Usage: ./vmm release [--version V] [--out DIR]
#   --version V  the release version (default: the project's version without -SNAPSHOT)
#   --out DIR    where the staging repository goes (default: target/release)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GROUP=dev.vmm PARENT=vmm-parent BOM=vmm-bom LIBRARIES=(vmm-ffm vmm-core)

version="" out="$VMM_ROOT/target/release"
while [ $# -gt 0 ]; do
  case $1 in
    --version|--out) [ $# -ge 2 ] || die "$1 needs a value (see ./vmm help)."
      # --out is named from here: the work below happens in a clone elsewhere.
      if [ "$1" = --version ]; then version=$2; else out=$(realpath -m -- "$2"); fi; shift 2 ;;
    -h|--help) script_help "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "Unknown option '$1' for ./vmm release: the options are --version V and --out DIR." ;;
  esac
done
use_jdk
cd "$VMM_ROOT"
# The project's version: the first <version> of the parent POM (its own; it has no parent).
current=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -n 1)
[ -n "$current" ] || die "Could not read the project's version from pom.xml (a line '  <version>...</version>')."
version=${version:-${current%-SNAPSHOT}}
if ! [[ $version =~ ^[0-9]+(\.[0-9]+)*([.-][A-Za-z0-9.]+)?$ ]] || [[ $version == *SNAPSHOT* ]]; then
  die "'$version' is no release version: give one such as 1.2.0 with --version."
fi
git diff --quiet HEAD 2>/dev/null \
  || say "uncommitted changes are not part of a release: releasing the commit $(git rev-parse --short HEAD)"

work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-release.XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone -q "$VMM_ROOT" "$work/src" || die "Could not clone $VMM_ROOT into $work."
cd "$work/src"
mvn_q() { mvn -B -q -ntp "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -v -e '^$' -e '^WARNING: .*Unsafe' -e '^WARNING: .*sun.misc' >&2 || true; return "${PIPESTATUS[0]}"; }

say "release $version: setting the version in every POM"
mvn_q versions:set -DnewVersion="$version" -DgenerateBackupPoms=false -DprocessAllModules=true \
  || die "Could not set the version $version: see the messages above."
say "release $version: building and deploying to a staging repository (tests skipped: ./vmm test runs them)"
stage="$work/staging"
# Not installed: a dry run leaves the local repository (~/.m2) as it was.
mvn_q clean deploy -DskipTests -Dmaven.install.skip=true -DaltDeploymentRepository="staging::file://$stage" -Dvmm.bom.repository="file://$stage" \
  || die "The release build failed: see the messages above."

say "release $version: building again, to compare"
mvn_q clean package -DskipTests -pl "$(IFS=,; echo "${LIBRARIES[*]}")" -am \
  || die "The second build failed: see the messages above."
differ=0
for lib in "${LIBRARIES[@]}"; do
  for jar in "$lib/target/$lib-$version"*.jar; do
    staged="$stage/${GROUP//.//}/$lib/$version/${jar##*/}"
    [ -f "$staged" ] || continue # a jar that is not published (the test jar)
    if ! cmp -s "$jar" "$staged"; then
      say "not reproducible: ${jar##*/} differs between two builds of one commit"; differ=1
    fi
  done
done
[ "$differ" = 0 ] || die "Two builds of the same commit gave different jars (see above): the build is not reproducible."

"$JAVA_HOME/bin/java" "$VMM_ROOT/scripts/StagingCheck.java" "$stage" "$GROUP" "$version" "$PARENT" "$BOM" "${LIBRARIES[@]}" \
  || die "The staging repository breaks Maven Central's rules: see the lines above."
{ rm -rf "$out/repository" && mkdir -p "$out" && cp -r "$stage" "$out/repository"; } \
  || die "Could not copy the staging repository to $out."
say "release $version: reproducible, and staged in $out/repository (sign and upload it: README, \"Releasing\")"
