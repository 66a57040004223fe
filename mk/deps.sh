#!/bin/sh
# Installs the Debian packages a kbx goal needs: as root through apt-get
# (after apt-get update), otherwise prints the exact command and fails.
# usage: mk/deps.sh build|check|demo
set -u

build_pkgs="gcc make pkg-config libelf-dev zlib1g-dev liblzma-dev libzstd-dev
 liblz4-dev liblzo2-dev libfdt-dev libssl-dev"
# check: the suites' own tools, and what a tinyconfig kernel build of
# linux-source-6.1 needs (flex bison bc, and the compressors the kernel's
# Makefile.lib calls for each KERNEL_* choice).
check_pkgs="$build_pkgs check clang libclang-rt-14-dev valgrind binutils kmod
 linux-headers-amd64 gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
 linux-source-6.1 flex bison bc ccache xz-utils lz4 lzop zstd
 u-boot-tools device-tree-compiler file perl openssl cppcheck clang-format lld llvm qemu-system-arm python3"
demo_pkgs="$build_pkgs linux-headers-amd64 kmod"

case "${1:-}" in
build) want=$build_pkgs ;;
check) want=$check_pkgs ;;
demo) want=$demo_pkgs ;;
*) echo "usage: $0 build|check|demo" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "kbx: missing packages:$missing (no apt-get here: install them by hand)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "kbx: missing Debian packages; run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "  APT     installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null
