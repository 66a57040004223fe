#!/bin/sh
# make demo: builds samples/hello-module against the installed kernel
# headers with plain Kbuild, then shows what kbx says about it.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
KBX=$TOP/plugin/kbx
KDIR=
for d in /lib/modules/"$(uname -r)"/build /usr/src/linux-headers-*-amd64; do
	[ -f "$d/Module.symvers" ] && { KDIR=$d; break; }
done
[ -n "$KDIR" ] || { echo "demo: no kernel headers found; install linux-headers-amd64" >&2; exit 1; }
REL=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
W=$TOP/build/demo
rm -rf "$W" && mkdir -p "$W" && cp "$TOP"/samples/hello-module/* "$W/"

echo "  KBUILD  samples/hello-module against $KDIR"
make -s -C "$KDIR" M="$W" modules 2>&1 | grep -v 'Skipping BTF' || true
KO=$W/hello.ko
echo
echo "kbx ko-undefined hello.ko         -> $($KBX ko-undefined "$KO")"
echo "kbx symvers Module.symvers _printk -> $($KBX symvers "$KDIR/Module.symvers" _printk)"
echo "kbx ko-unresolved hello.ko ...    -> $($KBX ko-unresolved "$KO" "$KDIR/Module.symvers" || echo '(nothing: modpost and the loader accept it)')"
echo
echo "kbx check-modules --release $REL:"
$KBX check-modules --symvers "$KDIR/Module.symvers" --release "$REL" -v "$W"
echo
echo "kbx modinfo hello.ko vermagic    -> $($KBX modinfo "$KO" vermagic)"
echo "kbx release $KDIR -> $($KBX release "$KDIR")"
echo
echo "kbx report hello.ko $KDIR:"
$KBX report "$KO" "$KDIR" || true
