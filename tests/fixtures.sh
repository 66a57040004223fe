#!/bin/sh
# Builds the test fixtures with the real tools, once per tree, into
# build/fixtures: ELF objects of both classes and byte orders, and kernel
# modules built against Debian's linux-headers-amd64 (with modpost's own
# verdicts on the broken ones kept beside them).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
F=$TOP/build/fixtures
mkdir -p "$F"
cd "$F"

cat > syms.c <<'SRC'
int kbx_fixture_data = 42;
static int kbx_fixture_local(int x) { return x * 3; }
int kbx_fixture_alias(int x) __attribute__((alias("kbx_fixture_func")));
int kbx_fixture_func(int x) { return kbx_fixture_local(x) + kbx_fixture_data; }
int kbx_fixture_second(int x) { return kbx_fixture_func(x) + 1; }
int main(void) { return kbx_fixture_second(1) == 0; }
SRC

build_obj() { # NAME COMPILER FLAGS...
	name=$1 cc=$2
	shift 2
	[ -s "$name" ] && return 0
	if command -v "$cc" >/dev/null 2>&1; then
		"$cc" "$@" -O1 -c syms.c -o "$name.tmp" && mv "$name.tmp" "$name"
	fi
}
build_obj le64.o gcc
build_obj le32.o arm-linux-gnueabihf-gcc
build_obj be32.o arm-linux-gnueabihf-gcc -mbig-endian
build_obj be64.o aarch64-linux-gnu-gcc -mbig-endian
[ -s host.elf ] || gcc -O1 syms.c -o host.elf
if [ ! -s arm32.elf ] && command -v arm-linux-gnueabihf-gcc >/dev/null; then
	arm-linux-gnueabihf-gcc -O1 syms.c -o arm32.elf
fi

# ---- modules against the Debian headers ------------------------------------
KDIR=
for d in /lib/modules/"$(uname -r)"/build /usr/src/linux-headers-*-amd64; do
	[ -f "$d/Module.symvers" ] && { KDIR=$d; break; }
done
[ -n "$KDIR" ] || { echo "fixtures: no kernel headers, modules skipped" >&2; exit 0; }
echo "$KDIR" > kdir

# Debian's own modules for this release: 4000 real .ko files to check and
# to benchmark against depmod (unpacked, not installed).
REL=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
DEB=$TOP/build/debian-modules
if [ ! -d "$DEB/lib/modules/$REL" ]; then
	pkg=linux-image-$REL
	mkdir -p "$TOP/build/deb"
	if (cd "$TOP/build/deb" && apt-get download "$pkg" >/dev/null 2>&1) &&
		dpkg-deb -x "$TOP"/build/deb/"$pkg"_*.deb "$DEB.tmp"; then
		mv "$DEB.tmp" "$DEB"
		rm -f "$TOP"/build/deb/"$pkg"_*.deb
	else
		rm -rf "$DEB.tmp"
		echo "fixtures: apt-get download $pkg failed: Debian module tree skipped" >&2
	fi
fi

M=$F/modules
[ -f "$M/.done" ] && [ "$(cat "$M/.done")" = "$KDIR" ] && exit 0
rm -rf "$M"
cp -r "$TOP/tests/real/modules" "$M"

kbuild() { # DIR ARGS... : builds, keeps the log
	dir=$1
	shift
	make -s -C "$KDIR" M="$M/$dir" "$@" modules > "$M/$dir.log" 2>&1
}
kbuild provider
kbuild provider_v2
kbuild consumer KBUILD_EXTRA_SYMBOLS="$M/provider/Module.symvers"

# modpost's verdict on each broken module, then a .ko to check: a missing
# export only warns with KBUILD_MODPOST_WARN; modpost refuses the licence
# and namespace faults outright, so those modules are built in their
# accepted form and one .modinfo string is then changed to the faulty one.
kbuild bad_undef KBUILD_MODPOST_WARN=1
cp "$M/bad_undef.log" "$M/bad_undef.modpost"
kbuild bad_gpl KBX_LICENSE=Proprietary || true
cp "$M/bad_gpl.log" "$M/bad_gpl.modpost"
kbuild bad_gpl KBX_LICENSE=GPL
perl -0777 -pi -e 's/license=GPL\0/license=MIT\0/' "$M/bad_gpl/kbx_bad_gpl.ko"
kbuild bad_ns KBX_IMPORT_NS=0 || true
cp "$M/bad_ns.log" "$M/bad_ns.modpost"
kbuild bad_ns KBX_IMPORT_NS=1
perl -0777 -pi -e 's/import_ns=CRYPTO_INTERNAL\0/import_ns=CRYPTO_INTERNAX\0/' \
	"$M/bad_ns/kbx_bad_ns.ko"
echo "$KDIR" > "$M/.done"
