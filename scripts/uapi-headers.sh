#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints the path of an include folder holding the 6.12 kernel's KVM uapi headers, ready for
# `gcc -D__user= -I<folder>`: the layout test compiles against it. Progress goes to stderr.
# The host's /usr/include/linux/kvm.h is older (bookworm ships 6.1) and lacks the newer structs,
# so the raw headers come from Debian's linux-headers-6.12.<N>+deb12-common, unprocessed by
# `make headers_install`: only the files that differ from the system's are put in front of it.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_debs gcc:gcc
[[ -f /usr/include/linux/types.h && -f /usr/include/stdio.h ]] \
  || die "The C headers of libc and Linux are missing: install them with 'apt-get install libc6-dev linux-libc-dev' and run again."

pkg=$(newest_deb '^linux-headers-6\.12\.[0-9]+\+deb12-common$') \
  || die "No linux-headers-6.12.<N>+deb12-common in apt's lists: add bookworm-security to the apt sources and run again."
include="$VMM_CACHE/uapi/$pkg/include"

if [ ! -f "$include/.done" ]; then
  unpacked=$(fetch_deb "$pkg") || die "Downloading $pkg failed: see the messages above."
  src=$(echo "$unpacked"/usr/src/linux-headers-*-common)
  [ -f "$src/include/uapi/linux/kvm.h" ] || die "$pkg has no include/uapi/linux/kvm.h under $src."
  say "preparing KVM uapi headers from $pkg"
  rm -rf "$include" && mkdir -p "$include/linux" "$include/asm"
  cp "$src"/include/uapi/linux/{kvm,bits,const}.h "$include/linux/"
  cp "$src/arch/x86/include/uapi/asm/kvm.h" "$include/asm/kvm.h"
  # kvm.h includes <linux/compiler.h>, which only exists in the kernel tree; nothing from it is used.
  : > "$include/linux/compiler.h"
  touch "$include/.done"
fi
echo "$include"
