#!/bin/sh
# Builds real kernel artifacts from Debian's linux-source-6.1, once per tree
# (ccache makes a rebuild after `make clean` cheap), into build/kernels:
#   arm64/Image, arm64/Image.gz, arm64/vexpress.dtb   (tinyconfig, IKCONFIG)
#   arm/zImage.{gzip,xz,lzma,lzo,lz4}, arm/vexpress.dtb (tinyconfig, only
#       the compressed wrapper rebuilds between compressions)
#   x86_64/bzImage, x86_64/vmlinux                     (tinyconfig)
# Each kernel's release is in NAME/release. usage: tests/kernels.sh [ARCH...]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
K=$TOP/build/kernels
SRC_TAR=${KBX_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
export CCACHE_DIR=${CCACHE_DIR:-$TOP/build/cache/ccache}
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=kbx KBUILD_BUILD_HOST=fixtures
JOBS=$(nproc 2>/dev/null || echo 2)
mkdir -p "$K" "$CCACHE_DIR"

if [ ! -f "$SRC_TAR" ]; then
	echo "kernels: $SRC_TAR missing (apt-get install linux-source-6.1): kernel fixtures skipped" >&2
	exit 0
fi

# One unpack shared by every build (O= keeps it clean).
SRC=$K/src
if [ ! -f "$SRC/.unpacked" ]; then
	echo "  UNPACK  $SRC_TAR"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -xJf "$SRC_TAR" -C "$SRC.tmp" --strip-components=1
	touch "$SRC.tmp/.unpacked"
	mv "$SRC.tmp" "$SRC"
fi

kmake() { # ARCH CROSS OUT TARGET...
	arch=$1 cross=$2 out=$3
	shift 3
	make -s -C "$SRC" O="$out" ARCH="$arch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" -j"$JOBS" "$@" >> "$out.log" 2>&1
}

configure() { # ARCH CROSS OUT OPTION...: tinyconfig plus the options
	arch=$1 cross=$2 out=$3
	shift 3
	mkdir -p "$out"
	kmake "$arch" "$cross" "$out" tinyconfig
	"$SRC/scripts/config" --file "$out/.config" "$@"
	kmake "$arch" "$cross" "$out" olddefconfig
}

release_of() { # OUT
	cat "$1/include/config/kernel.release"
}

build_arm64() {
	d=$K/arm64 out=$K/arm64/obj
	[ -f "$d/.done" ] && return 0
	echo "  KERNEL  arm64 tinyconfig Image, Image.gz, vexpress DTB"
	rm -rf "$d" && mkdir -p "$d"
	configure arm64 aarch64-linux-gnu- "$out" -e ARCH_VEXPRESS -e IKCONFIG
	kmake arm64 aarch64-linux-gnu- "$out" Image Image.gz arm/foundation-v8.dtb
	cp "$out/arch/arm64/boot/Image" "$out/arch/arm64/boot/Image.gz" "$d/"
	cp "$out/arch/arm64/boot/dts/arm/foundation-v8.dtb" "$d/vexpress.dtb"
	release_of "$out" > "$d/release"
	touch "$d/.done"
}

# arm's wrapper supports five compressions; switching only rebuilds it.
build_arm() {
	d=$K/arm out=$K/arm/obj
	[ -f "$d/.done" ] && return 0
	echo "  KERNEL  arm tinyconfig zImage (gzip xz lzma lzo lz4), vexpress DTB"
	rm -rf "$d" && mkdir -p "$d"
	configure arm arm-linux-gnueabihf- "$out" -e ARCH_MULTI_V7 \
		-e ARCH_VEXPRESS -e KERNEL_GZIP
	kmake arm arm-linux-gnueabihf- "$out" zImage vexpress-v2p-ca9.dtb
	cp "$out/arch/arm/boot/dts/vexpress-v2p-ca9.dtb" "$d/vexpress.dtb"
	for c in gzip xz lzma lzo lz4; do
		uc=$(echo "$c" | tr a-z A-Z)
		# a choice: every other member must be off, or Kconfig keeps
		# the first one set (tinyconfig's own is KERNEL_XZ)
		"$SRC/scripts/config" --file "$out/.config" -d KERNEL_GZIP \
			-d KERNEL_XZ -d KERNEL_LZMA -d KERNEL_LZO -d KERNEL_LZ4 \
			-e "KERNEL_$uc"
		kmake arm arm-linux-gnueabihf- "$out" olddefconfig
		kmake arm arm-linux-gnueabihf- "$out" zImage
		grep -q "^CONFIG_KERNEL_$uc=y" "$out/.config"
		cp "$out/arch/arm/boot/zImage" "$d/zImage.$c"
	done
	release_of "$out" > "$d/release"
	touch "$d/.done"
}

build_x86_64() {
	d=$K/x86_64 out=$K/x86_64/obj
	[ -f "$d/.done" ] && return 0
	echo "  KERNEL  x86_64 tinyconfig bzImage (zstd)"
	rm -rf "$d" && mkdir -p "$d"
	configure x86_64 "" "$out" -d KERNEL_GZIP -d KERNEL_XZ -e KERNEL_ZSTD \
		-e IKCONFIG
	kmake x86_64 "" "$out" bzImage
	cp "$out/arch/x86/boot/bzImage" "$out/vmlinux" "$d/"
	release_of "$out" > "$d/release"
	touch "$d/.done"
}

# set -e must stay in force inside the builders, so no `if`/`||` around them.
for a in ${*:-arm64 arm x86_64}; do
	trap 'echo "kernels: the $a build failed; see $K/$a/obj.log" >&2' EXIT
	"build_$a"
	trap - EXIT
done
