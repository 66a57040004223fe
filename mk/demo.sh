#!/bin/sh
# make demo: the two sample out-of-tree modules built with mk/module.mk
# against the installed kernel headers, checked, and what kbx says of them.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
KBX=$TOP/plugin/kbx
KDIR=
for d in /lib/modules/"$(uname -r)"/build /usr/src/linux-headers-*-amd64; do
	[ -f "$d/Module.symvers" ] && { KDIR=$d; break; }
done
[ -n "$KDIR" ] || { echo "demo: no kernel headers found; install linux-headers-amd64" >&2; exit 1; }

# The samples as they are in the tree, copied so that it stays clean; their
# Makefiles include ../../mk/module.mk.
W=$TOP/build/demo
rm -rf "$W" && mkdir -p "$W/samples"
ln -s "$TOP/mk" "$W/mk"
ln -s "$TOP/plugin" "$W/plugin"
cp -r "$TOP/samples/hello-module" "$TOP/samples/chained-modules" "$W/samples/"
M="make --no-print-directory KDIR=$KDIR"

echo "== make modules (build, then modules-check) against $KDIR"
$M -C "$W/samples/hello-module" modules 2>&1 | grep -v 'Skipping BTF'
$M -C "$W/samples/chained-modules/consumer" modules 2>&1 | grep -v 'Skipping BTF'
echo
echo "== make modules-info"
$M -s -C "$W/samples/hello-module" modules-info
$M -s -C "$W/samples/chained-modules/consumer" modules-info | sed 1d
$M -s -C "$W/samples/chained-modules/provider" modules-info | sed 1d
echo
echo "== what modules-check catches: the consumer checked without its provider"
"$KBX" check-modules --symvers "$KDIR/Module.symvers" --release "$("$KBX" release "$KDIR")" \
	"$W/samples/chained-modules/consumer/consumer.ko" | sed "s|$W/||" || true
echo
echo "== kbx report"
cd "$W/samples"
"$KBX" report hello-module/hello.ko chained-modules/provider/provider.ko \
	chained-modules/consumer/consumer.ko "$KDIR" || true
