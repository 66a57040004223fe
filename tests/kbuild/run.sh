#!/bin/sh
# mk/kbuild.mk on a real kernel: linux-source-6.1 (the tree tests/kernels.sh
# unpacked), arm64 tinyconfig plus a fragment, ccache on. The build, its
# verification, the release and the info table; a fragment whose option
# Kconfig drops; the INSTALL_MOD_PATH guard; patch series, all or nothing.
. "$(dirname "$0")/../lib.sh"
SRC=$BUILD/kernels/src
W=$BUILD/kbuild-test
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/cache/ccache}

if [ ! -f "$SRC/.unpacked" ]; then
	skip "kbuild.mk suite" "linux-source-6.1 not unpacked: run make kernels"
	summary kbuild
	exit
fi
mkdir -p "$W"
# IKCONFIG, and the serial console kernel-boot-test needs
{ echo CONFIG_IKCONFIG=y; cat "$TOP/samples/qemu-arm64.cfg"; } > "$W/board.cfg"
cat > "$W/Makefile" <<MK
KERNEL_SRC := $SRC
ARCH := arm64
KERNEL_DEFCONFIG := tinyconfig
KERNEL_CONFIG_FRAGMENTS := board.cfg
KERNEL_CCACHE := 1
kbx_t_hook = @echo \$(1) \$(2) >> $W/hooks.log
kbx_t_pre_config = \$(call kbx_t_hook,pre-config,\$(1))
kbx_t_pre_build = \$(call kbx_t_hook,pre-build,\$(1))
kbx_t_post_build = \$(call kbx_t_hook,post-build,\$(1))
KERNEL_PRE_CONFIG_HOOKS := kbx_t_pre_config
KERNEL_PRE_BUILD_HOOKS := kbx_t_pre_build
KERNEL_POST_BUILD_HOOKS := kbx_t_post_build
include $TOP/mk/kbuild.mk
MK
# Kbuild gets the jobserver of the make that runs kbuild.mk
J=-j$(nproc)

out=$(make $J -C "$W" --no-print-directory kernel 2>&1)
st=$?
check_eq "make kernel: arm64 tinyconfig plus a fragment builds and verifies" "0" "$st"
check_contains "Kbuild's quiet style: VERIFY line for the Image" "  VERIFY  arch/arm64/boot/Image" "$out"
IMG=$W/out/kernel/arch/arm64/boot/Image
check_eq "kernel-release = the Image's banner = the build's kernel.release" \
	"$(cat "$W/out/kernel/include/config/kernel.release") $("$KBX" release "$IMG")" \
	"$(make -s -C "$W" kernel-release) $(make -s -C "$W" kernel-release)"
check_eq "the fragment's option holds in the Image's own IKCONFIG" "y" \
	"$("$KBX" kconfig "$IMG" PRINTK)"
info=$(make -s -C "$W" kernel-info)
check_contains "kernel-info: the artifact table, the Image verified" \
	"arch/arm64/boot/Image  Image" "$info"

out=$(make -s -C "$W" kernel-verify KERNEL_IMAGE_MAX_SIZE=1000 2>&1)
check_contains "KERNEL_IMAGE_MAX_SIZE: an image over its budget stops kernel-verify, both sizes named" \
	"bytes: over KERNEL_IMAGE_MAX_SIZE (1000)" "$out"
make -s -C "$W" kernel-savedefconfig > /dev/null 2>&1
check_eq "kernel-savedefconfig: a minimal defconfig in KERNEL_OUT that keeps the fragment's console" \
	"CONFIG_SERIAL_AMBA_PL011_CONSOLE=y" "$(grep -s PL011_CONSOLE "$W/out/kernel/defconfig")"
make -s -C "$W" kernel-compile-commands > /dev/null 2>&1
check_contains "kernel-compile-commands: compile_commands.json for clangd, init/main.c in it" \
	"init/main.c" "$(grep -s -m1 '"file": ".*init/main.c"' "$W/out/kernel/compile_commands.json")"

t0=$(date +%s%N)
make -s -C "$W" kernel > /dev/null 2>&1
t1=$(date +%s%N)
make -s -C "$SRC" O="$W/out/kernel" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	CC="ccache aarch64-linux-gnu-gcc" LOCALVERSION= Image > /dev/null 2>&1
t2=$(date +%s%N)
echo "INFO: up-to-date make kernel $(( (t1 - t0) / 1000000 )) ms, raw Kbuild no-op $(( (t2 - t1) / 1000000 )) ms"

if command -v qemu-system-aarch64 > /dev/null; then
	out=$(make -C "$W" --no-print-directory kernel-boot-test 2>&1)
	check_contains "kernel-boot-test: QEMU virt boots the Image, the banner's release is the image's" \
		"BOOTED  $IMG: Linux version $("$KBX" release "$IMG")" "$out"
else
	skip "kernel-boot-test" "qemu-system-aarch64 missing"
fi

# ---- hooks: each in its place, called with the instance's prefix -------------
rm -f "$W/hooks.log"
touch "$W/board.cfg"
make $J -s -C "$W" kernel > /dev/null 2>&1
check_eq "KERNEL_PRE_CONFIG_HOOKS, _PRE_BUILD_ and _POST_BUILD_HOOKS run in that order, with the prefix" \
	"pre-config KERNEL|pre-build KERNEL|post-build KERNEL|" "$(tr '\n' '|' < "$W/hooks.log" 2>&1)"

# ---- LLVM=1: clang, lld and the llvm tools instead of a cross gcc ---------------
L=$W/out/llvm
out=$(make $J -s -C "$W" kernel KERNEL_OUT="$L" LLVM=1 2>&1)
check_eq "LLVM=1: clang and lld build the arm64 tinyconfig Image, verified" "0" "$?"
check_eq "... a clang kernel: CC_IS_CLANG in its .config, clang and LLD in its banner" "y clang LLD" \
	"$("$KBX" kconfig "$L/.config" CC_IS_CLANG) $(strings "$L/arch/arm64/boot/Image" | grep -m1 'Linux version' | grep -o 'clang\|LLD' | tr '\n' ' ' | sed 's/ $//')"

# ---- samples/vendor-bsp: the vendor's own flow, extended ------------------------
VB=$W/vendor
rm -rf "$VB" && mkdir -p "$VB"
# a hard-linked copy of the tree: the sample's patch stays out of the shared one
cp -al "$SRC" "$VB/src"
out=$(make $J -C "$TOP/samples/vendor-bsp" --no-print-directory bsp KERNEL_SRC="$VB/src" \
	KERNEL_WORK="$VB" CC="ccache aarch64-linux-gnu-gcc" 2>&1)
check_eq "samples/vendor-bsp: make bsp, the vendor's unedited Makefile with kbx's steps in it" "0" "$?"
check_eq "... patch, config (vendor's hook, then the product fragment), audit, the vendor's Kbuild call, verify, deploy" \
	"PATCH CONFIG AUDIT Image VERIFY deploy" \
	"$(echo "$out" | sed -n 's/^  \(PATCH\|CONFIG\|AUDIT\|VERIFY\) .*/\1/p; s/.*make -C .* Image$/Image/p; s/^mkdir -p .*deploy$/deploy/p' | tr '\n' ' ' | sed 's/ $//')"
D=$VB/bsp/deploy/Image
check_eq "... the deployed Image: the verified one, patched, with the vendor's and the product's options" \
	"same 1 y y" \
	"$(cmp -s "$D" "$VB/bsp/linux/arch/arm64/boot/Image" && echo same) $(strings "$D" | grep -c 'Acme A1 product kernel') $("$KBX" kconfig "$D" SERIAL_AMBA_PL011) $("$KBX" kconfig "$D" IKCONFIG)"
check_eq "... and the shared source tree is not patched" "0" "$(grep -c 'Acme A1' "$SRC/init/main.c")"

# a stale or foreign artifact: the release check names it
mkdir -p "$T/fake/arch/arm64/boot" "$T/fake/include/config"
cp "$BUILD/kernels/arm/zImage.xz" "$T/fake/arch/arm64/boot/Image"
cp "$W/out/kernel/include/config/kernel.release" "$T/fake/include/config/"
out=$(make -s -C "$W" kernel-verify KERNEL_OUT="$T/fake" 2>&1)
check_contains "kernel-verify: an artifact of another ARCH is refused, named" \
	"wrong architecture: arm zImage, wanted arm64" "$out"

# a fragment asking for what Kconfig cannot give (USB storage needs USB and
# SCSI, which tinyconfig lacks): stopped, naming option, fragment, values
printf 'CONFIG_USB_STORAGE=y\n' > "$W/unmet.cfg"
out=$(make -s -C "$W" kernel-config KERNEL_CONFIG_FRAGMENTS="board.cfg unmet.cfg" KERNEL_OUT="$W/out/unmet" 2>&1)
check_contains "a dropped option stops the build: option, fragment, asked and got" \
	"kbx: CONFIG_USB_STORAGE: $W/unmet.cfg asks for y, the final .config has it unset" "$out"

out=$(make -s -C "$W" kernel-modules-install INSTALL_MOD_PATH=/ 2>&1)
check_contains "kernel-modules-install refuses INSTALL_MOD_PATH=/ for a cross build" \
	"refusing INSTALL_MOD_PATH='/' for a arm64 build" "$out"
out=$(make -s -C "$W" kernel-modules-install INSTALL_MOD_PATH= 2>&1)
check_contains "... and an empty one" "refusing INSTALL_MOD_PATH=''" "$out"

# ---- reproducible: the same tree built twice gives the same bytes -------------
R=$W/out/repro
repro() {
	make $J -s -C "$W" kernel KERNEL_OUT="$R" KERNEL_REPRODUCIBLE=1 SOURCE_DATE_EPOCH=1700000000 > /dev/null 2>&1
}
make -s -C "$W" kernel-distclean KERNEL_OUT="$R" > /dev/null 2>&1
repro && cp "$R/arch/arm64/boot/Image" "$T/Image.1"
make -s -C "$W" kernel-distclean KERNEL_OUT="$R" > /dev/null 2>&1
repro && cp "$R/arch/arm64/boot/Image" "$T/Image.2"
check_eq "KERNEL_REPRODUCIBLE=1 built twice from scratch: byte-identical Images" \
	"same" "$(cmp -s "$T/Image.1" "$T/Image.2" && [ -s "$T/Image.1" ] && echo same)"
check_contains "... with the fixed timestamp, user and host in the banner" \
	"(kbx@kbx)" "$(strings "$T/Image.1" | grep -m1 'Linux version')"

make -s -C "$W" kernel-clean KERNEL_OUT="$R" > /dev/null 2>&1
st1=$([ -f "$R/arch/arm64/boot/Image" ] && echo image; [ -f "$R/.config" ] && echo config)
make -s -C "$W" kernel-mrproper KERNEL_OUT="$R" > /dev/null 2>&1
st2=$([ -f "$R/.config" ] && echo config; [ -f "$R/.kbx-config-ok" ] && echo stamp)
check_eq "kernel-clean keeps the .config, kernel-mrproper removes it (and kbx's stamp)" "config|" \
	"$(echo $st1)|$(echo $st2)"

# ---- modules: built as configured, installed into a staging directory ---------
printf 'CONFIG_MODULES=y\nCONFIG_CRC_CCITT=m\n' > "$W/modules.cfg"
M=$W/out/mod
out=$(make $J -s -C "$W" kernel kernel-modules-install KERNEL_OUT="$M" \
	KERNEL_CONFIG_FRAGMENTS="board.cfg modules.cfg" INSTALL_MOD_PATH="$T/stage" 2>&1)
rel=$(cat "$M/include/config/kernel.release" 2>/dev/null)
ko=$T/stage/lib/modules/$rel/kernel/lib/crc-ccitt.ko
check_eq "modules as configured, installed to a staging dir, in its modules.dep, for arm64 and this release" \
	"kernel/lib/crc-ccitt.ko: $rel " \
	"$(grep crc-ccitt "$T/stage/lib/modules/$rel/modules.dep" 2>&1) $("$KBX" release "$ko" 2>&1) $("$KBX" verify "$ko" arm64)"

# ---- two boards from one source (samples/multi-board) ---------------------------
MB="make $J -s -C $TOP/samples/multi-board KERNEL_SRC=$SRC KERNEL_WORK=$W/multi"
out=$($MB all 2>&1)
check_eq "samples/multi-board: vexpress (arm zImage, uImage, DTB) and qemu (arm64) build and verify" \
	"0" "$?"
info=$($MB info 2>&1)
check_eq "... each board's table: zImage, uImage and DTB for vexpress, Image for qemu, all ok" \
	"zImage dtb uImage Image 4" \
	"$(echo "$info" | awk '$2 ~ /^(zImage|uImage|dtb|Image)$/ {printf "%s ", $2}')$(echo "$info" | grep -c ' ok$' | awk '{print $1 - 2}')"

# ---- patch series: all or nothing ------------------------------------------------
mkdir -p "$T/tree"
printf 'all:\n' > "$T/tree/Makefile"
printf 'one\ntwo\nthree\n' > "$T/tree/a.txt"
cp -r "$T/tree" "$T/orig"
(cd "$T" && mkdir p && cp -r tree t2 && sed -i 's/one/ONE/' t2/a.txt && diff -u tree/a.txt t2/a.txt | sed 's|tree/a.txt|a/a.txt|; s|t2/a.txt|b/a.txt|' > p/0001-one.patch;
	sed -i 's/two/TWO/' t2/a.txt && cp t2/a.txt t2/b && printf 'one\nzzz\nthree\n' > t2/c && diff -u tree/a.txt t2/c | sed 's|tree/a.txt|a/a.txt|; s|t2/c|b/a.txt|' > p/0002-bad.patch;
	printf '0001-one.patch\n0002-bad.patch\n' > p/series)
out=$(sh "$TOP/mk/patch.sh" "$T/tree" "$T/p" 2>&1)
check_eq "a series failing at its second patch: the tree as before, the patch named" \
	"same" "$(diff -r "$T/orig" "$T/tree" > /dev/null && echo same)"
check_contains "... its message" "0002-bad.patch does not apply" "$out"
(cd "$T/tree" && git init -q && git add . && git -c user.email=k@b -c user.name=kbx commit -qm base)
head0=$(git -C "$T/tree" rev-parse HEAD)
cat > "$T/p/0001-one.mbox" <<EOF
From: kbx <k@b>
Subject: [PATCH] one

$(cat "$T/p/0001-one.patch")
EOF
cat > "$T/p/0002-bad.mbox" <<EOF
From: kbx <k@b>
Subject: [PATCH] bad

$(cat "$T/p/0002-bad.patch")
EOF
out=$(sh "$TOP/mk/patch.sh" "$T/tree" "$T/p/0001-one.mbox" "$T/p/0002-bad.mbox" 2>&1)
check_contains "git am of a failing series names the patch" "git am failed: patch 0002 bad" "$out"
check_eq "git am of a failing series: HEAD and the work tree as before" \
	"$head0 clean" "$(git -C "$T/tree" rev-parse HEAD) $([ -z "$(git -C "$T/tree" status --porcelain)" ] && echo clean)"
sh "$TOP/mk/patch.sh" "$T/tree" "$T/p/0001-one.mbox"
check_eq "git am of a good series applies it as commits" "one ONE" \
	"$(git -C "$T/tree" log -1 --format=%s | sed 's/\[PATCH\] //') $(head -1 "$T/tree/a.txt")"

summary kbuild
