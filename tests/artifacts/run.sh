#!/bin/sh
# kbx's artifact functions against the reference tools on real artifacts:
# tinyconfig kernels built from linux-source-6.1 (tests/kernels.sh), uImages
# and FITs from mkimage, DTBs from dtc and the kernel's own dts, modules
# from the Debian headers. Then every corruption the formats can suffer,
# fed to the sanitizer-built CLI: one clear line each, never a crash.
. "$(dirname "$0")/../lib.sh"
K=$BUILD/kernels
F=$BUILD/fixtures
ASAN_KBX=$BUILD/asan/kbx
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -f "$K/arm64/.done" ] || [ ! -f "$K/arm/.done" ] || [ ! -f "$K/x86_64/.done" ]; then
	skip "artifact suite" "kernels not built: run make kernels"
	summary artifacts
	exit
fi
REL=$(cat "$K/arm64/release")

# ---- helpers -----------------------------------------------------------------

# patch FILE OFFSET HEX: overwrite bytes in place
# (offsets may be hex: the shell converts them, perl would read 0x.. as 0)
patch() { set -- "$1" $(($2)) "$3"; perl -e 'open(F, "+<", $ARGV[0]) or die; binmode F; seek(F, $ARGV[1], 0); print F pack("H*", $ARGV[2]);' "$@"; }
# flip FILE OFFSET: invert one byte
flip() { set -- "$1" $(($2)); perl -e 'open(F, "+<", $ARGV[0]) or die; binmode F; seek(F, $ARGV[1], 0); read(F, $b, 1); seek(F, $ARGV[1], 0); print F chr(ord($b) ^ 0xff);' "$@"; }
# be32 FILE OFFSET / le32 FILE OFFSET: read a word
be32() { set -- "$1" $(($2)); perl -e 'open(F, "<", $ARGV[0]) or die; binmode F; seek(F, $ARGV[1], 0); read(F, $b, 4); print unpack("N", $b);' "$@"; }
le32() { set -- "$1" $(($2)); perl -e 'open(F, "<", $ARGV[0]) or die; binmode F; seek(F, $ARGV[1], 0); read(F, $b, 4); print unpack("V", $b);' "$@"; }
hex32be() { printf '%08x' "$1"; }
hex32le() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }
# a uImage whose header was edited gets a valid header CRC again, so the
# edit itself is what kbx must catch
fix_hcrc() { perl -MCompress::Zlib -e 'open(F, "+<", $ARGV[0]) or die; binmode F; read(F, $h, 64); substr($h, 4, 4) = "\0\0\0\0"; seek(F, 4, 0); print F pack("N", crc32($h));' "$1"; }
size_of() { stat -c %s "$1"; }

# corrupt NAME FILE EXPECTED [ARCH]: kbx verify reports one line naming
# FILE and containing EXPECTED, exits 1, and the sanitizers stay quiet
corrupt() {
	name=$1 file=$2 want=$3
	out=$("$ASAN_KBX" verify "$file" ${4:-} 2> "$T/stderr")
	st=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	if [ "$st" = 1 ] && [ "$lines" = 1 ] && [ ! -s "$T/stderr" ]; then
		case "$out" in
		"$file: "*"$want"*) pass "$name: $out"; return ;;
		esac
	fi
	fail "$name" "expected: $file: ...$want... (exit 1, one line)" \
		"actual:   $out (exit $st)" "$(head -3 "$T/stderr")"
}

# fresh COPY of FILE in the scratch dir
fresh() { cp "$1" "$T/$2" && echo "$T/$2"; }

# ---- identification agrees with file(1) -----------------------------------------

file_word() { # what file(1) calls it, in kbx's words
	case $(file -b "$1") in
	*"ARM64 boot executable Image"*) echo Image ;;
	*"ARM boot executable zImage"*) echo zImage ;;
	*"x86 boot executable bzImage"*) echo bzImage ;;
	*"u-boot legacy uImage"*) echo uImage ;;
	*"Device Tree Blob"*) echo dtb ;;
	*"gzip compressed"*) echo gzip ;;
	*"ELF"*"relocatable"*) echo ko ;;
	*"ELF"*"executable"*) echo vmlinux ;;
	*) echo "?" ;;
	esac
}

mkimage -A arm64 -O linux -T kernel -C none -a 0x80000 -e 0x80000 \
	-n "Linux-$REL" -d "$K/arm64/Image" "$T/u-none" > /dev/null
mkimage -A arm64 -O linux -T kernel -C gzip -a 0x80000 -e 0x80000 \
	-n "Linux-$REL" -d "$K/arm64/Image.gz" "$T/u-gzip" > /dev/null
mkimage -A arm -O linux -T multi -C none -a 0x8000 -e 0x8000 -n multi \
	-d "$K/arm/zImage.lz4:$K/arm/vexpress.dtb" "$T/u-multi" > /dev/null
MOD=$F/modules/provider/kbx_provider.ko

for f in "$K/arm64/Image" "$K/arm/zImage.xz" "$K/x86_64/bzImage" \
	"$K/x86_64/vmlinux" "$T/u-gzip" "$T/u-multi" "$K/arm64/vexpress.dtb" \
	"$K/arm/vexpress.dtb" "$MOD"; do
	check_eq "identify $(basename "$f") = file(1)" "$(file_word "$f")" \
		"$($KBX identify "$f")"
done
# file(1) only says gzip; kbx looks inside
check_eq "identify Image.gz (file(1): gzip; inside: an arm64 Image)" \
	"Image.gz" "$($KBX identify "$K/arm64/Image.gz")"
check_eq "identify of a missing file" missing "$($KBX identify "$T/nope")"
: > "$T/empty"
check_eq "identify of an empty file" unknown "$($KBX identify "$T/empty")"

# ---- releases agree with the banner strings(1) finds ------------------------------

banner_release() { strings -a "$1" | sed -n 's/^Linux version \([^ ]*\) (.*/\1/p' | head -1; }
check_eq "release Image = strings | grep 'Linux version'" \
	"$(banner_release "$K/arm64/Image")" "$($KBX release "$K/arm64/Image")"
check_eq "release vmlinux = strings | grep 'Linux version'" \
	"$(banner_release "$K/x86_64/vmlinux")" "$($KBX release "$K/x86_64/vmlinux")"
zcat "$K/arm64/Image.gz" > "$T/Image.from-gz"
check_eq "release Image.gz = zcat | strings" \
	"$(banner_release "$T/Image.from-gz")" "$($KBX release "$K/arm64/Image.gz")"
check_eq "release bzImage = file(1)'s version" \
	"$(file -b "$K/x86_64/bzImage" | sed -n 's/.*version \([^ ]*\) .*/\1/p')" \
	"$($KBX release "$K/x86_64/bzImage")"
check_eq "release of the kernel build dir = include/config/kernel.release" \
	"$(cat "$K/arm64/obj/include/config/kernel.release")" "$($KBX release "$K/arm64/obj")"
KDIR=$(cat "$F/kdir" 2>/dev/null)
if [ -n "$KDIR" ]; then
	check_eq "release of the Debian headers dir = vermagic of a module built there" \
		"$(modinfo -F vermagic "$MOD" | cut -d' ' -f1)" "$($KBX release "$KDIR")"
fi
check_eq "release of a .ko = modinfo -F vermagic's first word" \
	"$(modinfo -F vermagic "$MOD" | cut -d' ' -f1)" "$($KBX release "$MOD")"

# ---- zImage: every compression the arm wrapper offers -------------------------------

arm_image_size=$(size_of "$K/arm/obj/arch/arm/boot/Image")
arm_rel=$(banner_release "$K/arm/obj/arch/arm/boot/Image")
for c in gzip xz lzma lzo lz4; do
	z=$K/arm/zImage.$c
	check_eq "zImage.$c: comp, release, inflated size, verified" \
		"$c $arm_rel $arm_image_size " \
		"$($KBX image "$z" comp) $($KBX release "$z") $($KBX image "$z" payload) $($KBX verify "$z" arm)"
done
check_eq "zImage: size = end - start = the file" "$(size_of "$K/arm/zImage.xz")" \
	"$($KBX image "$K/arm/zImage.xz" size)"
check_eq "zImage: little-endian, 32-bit arm" "little 32 arm" \
	"$($KBX image "$K/arm/zImage.xz" endian) $($KBX image "$K/arm/zImage.xz" bits) $($KBX image "$K/arm/zImage.xz" arch)"

# ---- arm64 Image header agrees with file(1) ---------------------------------------

check_eq "Image: endianness and page size as file(1) says" \
	"$(file -b "$K/arm64/Image" | sed 's/.*Image, \([a-z]*\)-endian, \([0-9]*\)K pages.*/\1 \2/')" \
	"$($KBX image "$K/arm64/Image" endian) $(( $($KBX image "$K/arm64/Image" page-size) / 1024 ))"
check_eq "Image: text_offset 0 (v5.8+), image_size above the file size" "0x0 yes" \
	"$($KBX image "$K/arm64/Image" text-offset) $([ "$($KBX image "$K/arm64/Image" image-size)" -ge "$(size_of "$K/arm64/Image")" ] && echo yes)"

# ---- bzImage --------------------------------------------------------------------

x86_vmlinux_size=$(size_of "$K/x86_64/obj/arch/x86/boot/compressed/vmlinux.bin")
check_eq "bzImage: zstd payload inflates to vmlinux.bin's size, 64-bit, CRC ok" \
	"zstd $x86_vmlinux_size 64 " \
	"$($KBX image "$K/x86_64/bzImage" comp) $($KBX image "$K/x86_64/bzImage" payload) $($KBX image "$K/x86_64/bzImage" bits) $($KBX verify "$K/x86_64/bzImage" x86_64)"

# ---- uImage fields agree with mkimage -l ----------------------------------------------

mk_field() { mkimage -l "$1" | sed -n "s/^$2: *//p" | head -1; }
for u in u-none u-gzip u-multi; do
	f=$T/$u
	want="$(mk_field "$f" 'Image Name') $(mk_field "$f" 'Data Size' | cut -d' ' -f1) $(mk_field "$f" 'Load Address') $(mk_field "$f" 'Entry Point')"
	got="$($KBX image "$f" name) $(( $($KBX image "$f" size) - 64 )) $($KBX image "$f" load | sed 's/^0x//') $($KBX image "$f" entry | sed 's/^0x//')"
	check_eq "$u: name, data size, load, entry = mkimage -l" "$want" "$got"
	check_eq "$u: verified, release $REL" " $REL" \
		"$($KBX verify "$f") $($KBX release "$f" 2>&1)"
done
check_eq "u-gzip: comp gzip, type kernel, os linux, arch arm64" "gzip kernel linux arm64" \
	"$($KBX image "$T/u-gzip" comp) $($KBX image "$T/u-gzip" type) $($KBX image "$T/u-gzip" os) $($KBX image "$T/u-gzip" arch)"
check_eq "u-gzip: crc = the Data CRC file(1) prints" \
	"$(printf '%08x' "0x$(file -b "$T/u-gzip" | sed 's/.*Data CRC: 0X\([0-9A-F]*\).*/\1/')")" \
	"$($KBX image "$T/u-gzip" crc | sed 's/^0x//')"

# ---- FIT: fields agree with fdtget, hashes checked ------------------------------------

cat > "$T/fit.its" <<ITS
/dts-v1/;
/ {
	description = "kbx test FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			data = /incbin/("$K/arm64/Image.gz");
			type = "kernel"; arch = "arm64"; os = "linux";
			compression = "gzip"; load = <0x80000>; entry = <0x80000>;
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha256"; };
		};
		fdt-1 {
			data = /incbin/("$K/arm64/vexpress.dtb");
			type = "flat_dt"; arch = "arm64"; compression = "none";
			hash-1 { algo = "sha1"; };
		};
	};
	configurations {
		default = "conf-1";
		conf-1 { kernel = "kernel-1"; fdt = "fdt-1"; };
	};
};
ITS
mkimage -f "$T/fit.its" "$T/fit.itb" > /dev/null
mkimage -E -f "$T/fit.its" "$T/fit-ext.itb" > /dev/null
for fit in fit.itb fit-ext.itb; do
	f=$T/$fit
	check_eq "$fit: identified as fit, arch/os/comp = fdtget, load = fdtget" \
		"fit $(fdtget "$f" /images/kernel-1 arch) $(fdtget "$f" /images/kernel-1 os) $(fdtget "$f" /images/kernel-1 compression) $(fdtget "$f" /images/kernel-1 load)" \
		"$($KBX identify "$f") $($KBX image "$f" arch) $($KBX image "$f" os) $($KBX image "$f" comp) $(printf %d "$($KBX image "$f" load)")"
	check_eq "$fit: hashes verified, release from the kernel inside" " $REL" \
		"$($KBX verify "$f" arm64) $($KBX release "$f")"
done

# ---- DTB properties agree with fdtget, every one --------------------------------------

dtb_walk() { # DTB NODE: "node prop" for every property below NODE
	for p in $(fdtget -p "$1" "$2"); do echo "$2 $p"; done
	for n in $(fdtget -l "$1" "$2"); do
		case $2 in /) dtb_walk "$1" "/$n" ;; *) dtb_walk "$1" "$2/$n" ;; esac
	done
}
for d in "$K/arm64/vexpress.dtb" "$K/arm/vexpress.dtb"; do
	dtb_walk "$d" / > "$T/props"
	n=0 bad=
	while read -r node prop; do
		want=$(fdtget "$d" "$node" "$prop" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//')
		got=$($KBX dtb "$d" "$node" "$prop")
		n=$((n + 1))
		[ "$want" = "$got" ] || bad="$bad $node:$prop [$want] [$got]"
	done < "$T/props"
	if [ -z "$bad" ] && [ "$n" -gt 50 ]; then
		pass "kbx dtb = fdtget on all $n properties of $(basename "$(dirname "$d")")/vexpress.dtb"
	else
		fail "kbx dtb = fdtget on $(basename "$(dirname "$d")")/vexpress.dtb ($n properties)" "$bad"
	fi
done
check_eq "kbx dtb: a missing node or property expands to nothing" "" \
	"$($KBX dtb "$K/arm64/vexpress.dtb" /nonexistent model)$($KBX dtb "$K/arm64/vexpress.dtb" / nonexistent)"

# ---- modinfo agrees with modinfo -F, signed modules included ---------------------------

modinfo_keys="license vermagic depends name srcversion alias author description intree retpoline parm"
compare_modinfo() { # LABEL KO
	bad=
	for key in $modinfo_keys signer sig_key sig_hashalgo sig_id; do
		want=$(modinfo -F "$key" "$2" 2>/dev/null)
		got=$($KBX modinfo "$2" "$key")
		[ "$want" = "$got" ] || bad="$bad $key: [$want] [$got]"
	done
	if [ -z "$bad" ]; then pass "$1: kbx modinfo = modinfo -F for every key"; else fail "$1" "$bad"; fi
}
compare_modinfo "fixture module $(basename "$MOD")" "$MOD"
DEBMOD=$(find "$BUILD/debian-modules" -name 'ext4.ko*' 2>/dev/null | head -1)
if [ -n "$DEBMOD" ]; then
	compare_modinfo "Debian's signed ext4.ko" "$DEBMOD"
	check_eq "Debian's ext4.ko is signed" yes "$($KBX modinfo "$DEBMOD" signed)"
fi
check_eq "an unsigned module: signed = no" no "$($KBX modinfo "$MOD" signed)"

# sign a copy with the kernel's own sign-file and a key made now
SIGN_FILE=$(ls "$KDIR"/scripts/sign-file 2>/dev/null || ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -1)
if [ -n "$SIGN_FILE" ] && command -v openssl > /dev/null; then
	openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 \
		-subj "/CN=kbx test signing key/" -outform PEM \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null
	cp "$MOD" "$T/signed.ko"
	"$SIGN_FILE" sha512 "$T/key.pem" "$T/cert.pem" "$T/signed.ko"
	check_eq "sign-file'd module: signed, signer = the key's CN, sha512" \
		"yes kbx test signing key sha512" \
		"$($KBX modinfo "$T/signed.ko" signed) $($KBX modinfo "$T/signed.ko" signer) $($KBX modinfo "$T/signed.ko" sig_hashalgo)"
	compare_modinfo "sign-file'd module" "$T/signed.ko"
	check_eq "sign-file'd module verifies" "" "$($KBX verify "$T/signed.ko" x86)"
	xz -k -c "$T/signed.ko" > "$T/signed.ko.xz"
	check_eq "modinfo of a .ko.xz (inflated first) = of the .ko" \
		"$($KBX modinfo "$T/signed.ko" signer) $($KBX modinfo "$T/signed.ko" srcversion)" \
		"$($KBX modinfo "$T/signed.ko.xz" signer) $($KBX modinfo "$T/signed.ko.xz" srcversion)"
else
	skip "module signing" "no sign-file or openssl"
fi

# ---- IKCONFIG agrees with the kernel's scripts/extract-ikconfig ----------------------------

EXTRACT=$K/src/scripts/extract-ikconfig
for img in "$K/arm64/Image" "$K/arm64/Image.gz" "$K/x86_64/bzImage" "$K/x86_64/vmlinux"; do
	sh "$EXTRACT" "$img" > "$T/ikconfig" 2> /dev/null
	bad=
	for opt in IKCONFIG LOCALVERSION CC_VERSION_TEXT KERNEL_ZSTD MODULES HZ SMP; do
		want=$(sed -n "s/^CONFIG_$opt=//p" "$T/ikconfig" | sed 's/^"\(.*\)"$/\1/')
		got=$($KBX kconfig "$img" "$opt")
		[ "$want" = "$got" ] || bad="$bad $opt: [$want] [$got]"
	done
	if [ -s "$T/ikconfig" ] && [ -z "$bad" ]; then
		pass "kconfig $(basename "$img") = extract-ikconfig for 7 options"
	else
		fail "kconfig $(basename "$img") = extract-ikconfig" "$bad"
	fi
done
check_eq "kconfig of a .config: a string, y, and unset" \
	"$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' "$K/arm64/obj/.config") y " \
	"$($KBX kconfig "$K/arm64/obj/.config" CC_VERSION_TEXT) $($KBX kconfig "$K/arm64/obj/.config" CONFIG_IKCONFIG) $($KBX kconfig "$K/arm64/obj/.config" MODULES)"

# ---- the report -----------------------------------------------------------------------

$KBX report "$K/arm64/Image" "$K/arm/zImage.lzo" "$T/u-gzip" "$K/arm64/vexpress.dtb" "$MOD" > "$T/report"
st=$?
check_eq "report: a header and one ok row per artifact, exit 0" "0 6 5" \
	"$st $(wc -l < "$T/report") $(grep -c ' ok$' "$T/report")"
flip "$(fresh "$T/u-gzip" u-bad)" 100
$KBX report "$K/arm64/Image" "$T/u-bad" > "$T/report"
check_eq "report: a damaged artifact's row names its problem, exit 1" "1 1" \
	"$? $(grep -c 'data CRC mismatch' "$T/report")"

# ---- architecture checks ----------------------------------------------------------------

corrupt "Image verified for arm is the wrong architecture" "$K/arm64/Image" "wrong architecture: arm64 Image, wanted arm" arm
corrupt "zImage verified for arm64" "$K/arm/zImage.xz" "wrong architecture: arm zImage, wanted arm64" arm64
corrupt "bzImage verified for arm" "$K/x86_64/bzImage" "wrong architecture: x86 bzImage, wanted arm" arm
corrupt "x86 module verified for arm64" "$MOD" "wrong architecture: x86 ko, wanted arm64" arm64
corrupt "arm64 uImage verified for riscv" "$T/u-gzip" "wrong architecture: arm64 uImage, wanted riscv" riscv
check_eq "aliases: aarch64 = arm64, x86_64 = x86, armv7l = arm" "" \
	"$($KBX verify "$K/arm64/Image" aarch64)$($KBX verify "$K/x86_64/bzImage" x86_64)$($KBX verify "$K/arm/zImage.xz" armv7l)"

# ---- corruptions: empty, truncated, garbage, for every format ------------------------------

head -c 8192 /dev/urandom > "$T/garbage"
corrupt "garbage" "$T/garbage" "not a kernel artifact (unknown format)"
corrupt "empty file" "$T/empty" "empty file"
corrupt "missing file" "$T/nope" "No such file or directory"

for f in "$K/arm/zImage.xz" "$K/arm/zImage.gzip" "$K/arm/zImage.lzo" "$K/arm/zImage.lz4" "$K/arm/zImage.lzma" \
	"$K/arm64/Image.gz" "$K/x86_64/bzImage" "$T/u-gzip" "$T/u-none" "$K/arm64/vexpress.dtb" "$T/fit.itb" "$T/fit-ext.itb" \
	"$K/x86_64/vmlinux" "$MOD"; do
	n=$(size_of "$f")
	for cut in $((n - 100)) $((n / 2)) 72; do
		c=$(fresh "$f" "cut-$cut-$(basename "$f")")
		truncate -s "$cut" "$c"
		corrupt "$(basename "$f") cut to $cut of $n bytes" "$c" ""
	done
done

# ---- corruptions: one byte, one field, one block at a time ------------------------------------

u=$(fresh "$T/u-gzip" u-hdr); flip "$u" 0x30
corrupt "uImage: a flipped header byte" "$u" "uImage header CRC mismatch"
u=$(fresh "$T/u-gzip" u-data); flip "$u" 5000
corrupt "uImage: a flipped data byte" "$u" "uImage data CRC mismatch"
u=$(fresh "$T/u-gzip" u-size); patch "$u" 12 "$(hex32be $(( $(size_of "$u") + 4096 )))"; fix_hcrc "$u"
corrupt "uImage: ih_size beyond the file (header CRC fixed up)" "$u" "uImage is truncated: the header says"
u=$(fresh "$T/u-multi" u-multi-bad); patch "$u" 64 "7fffffff"; fix_hcrc "$u"
corrupt "multi-file uImage: a size table entry beyond the data" "$u" "multi-file uImage: image 1 ends past the data"

z=$(fresh "$K/arm/zImage.xz" z-end); patch "$z" 0x2c "$(hex32le $(( $(size_of "$z") + 4096 )))"
corrupt "zImage: end beyond the file" "$z" "zImage is truncated: its header says"
z=$(fresh "$K/arm/zImage.xz" z-start); patch "$z" 0x28 "$(hex32le 0x7fffffff)"
corrupt "zImage: start above end" "$z" "is not above its start"
z=$(fresh "$K/arm/zImage.xz" z-table); patch "$z" 0x38 "$(hex32le 0x7ffffff0)"
corrupt "zImage: extension table offset outside the image" "$z" "extension table offset 0x7ffffff0 is outside"
klsz_at=$(le32 "$K/arm/zImage.xz" 0x38)
z=$(fresh "$K/arm/zImage.xz" z-piggy); patch "$z" $((klsz_at + 8)) "$(hex32le $(( $(size_of "$z") + 16 )))"
corrupt "zImage: payload size word beyond the image (payload cut)" "$z" "zImage size word offset"
piggy=$(le32 "$K/arm/zImage.xz" $((klsz_at + 8)))
z=$(fresh "$K/arm/zImage.xz" z-payload); flip "$z" $((piggy - 20000))
corrupt "zImage: a flipped payload byte" "$z" "xz payload: corrupt data"
z=$(fresh "$K/arm/zImage.xz" z-size); patch "$z" "$piggy" "$(hex32le 4096)"
corrupt "zImage: decompressed size word lies (xz)" "$z" "payload inflates to $arm_image_size bytes, the header promises 4096"
z=$(fresh "$K/arm/zImage.gzip" z-size-gz)
patch "$z" "$(le32 "$z" $(( $(le32 "$z" 0x38) + 8 )))" "$(hex32le 4096)"
corrupt "zImage: decompressed size word lies (gzip: it is gzip's own length)" "$z" "gzip payload is corrupt (incorrect length check)"

i=$(fresh "$K/arm64/Image" i-res); patch "$i" 0x24 01
corrupt "Image: a reserved header byte set" "$i" "reserved header byte 0x24 is not zero"
i=$(fresh "$K/arm64/Image" i-mz); patch "$i" 0 4d5a; patch "$i" 0x3c "$(hex32le 0x7ffffff0)"
corrupt "Image: EFI stub with its PE offset outside the file" "$i" "PE header offset 0x7ffffff0 is outside"
g=$(fresh "$K/arm64/Image.gz" g-flip); flip "$g" 300000
corrupt "Image.gz: a flipped byte" "$g" "gzip payload is corrupt"

b=$(fresh "$K/x86_64/bzImage" b-flip); flip "$b" $(( $(size_of "$b") - 5000 ))
corrupt "bzImage: a flipped payload byte" "$b" "bzImage CRC mismatch"
b=$(fresh "$K/x86_64/bzImage" b-short); truncate -s $((0x220)) "$b"
corrupt "bzImage: cut inside its setup header (found by fuzz_bzimage)" "$b" "bzImage is truncated: 544 bytes, less than its setup header"
b=$(fresh "$K/x86_64/bzImage" b-sys); patch "$b" 0x1f4 "$(hex32le 0x0fffffff)"
corrupt "bzImage: syssize beyond the file" "$b" "bzImage is truncated: syssize says"
b=$(fresh "$K/x86_64/bzImage" b-plen); patch "$b" 0x24c "$(hex32le 0x7fffffff)"
corrupt "bzImage: payload_length beyond the code" "$b" "lies outside the protected-mode code"

d=$(fresh "$K/arm64/vexpress.dtb" d-off); patch "$d" 12 "$(hex32be 0x7fff0000)"
corrupt "DTB: strings block offset outside the blob" "$d" "DTB strings block [0x7fff0000"
d=$(fresh "$K/arm64/vexpress.dtb" d-overlap); patch "$d" 12 "$(hex32be $(be32 "$d" 8))"
corrupt "DTB: strings block overlapping the structure block" "$d" "overlaps the"
d=$(fresh "$K/arm64/vexpress.dtb" d-str); patch "$d" 32 "$(hex32be $(( $(be32 "$d" 32) - 1 )))"
corrupt "DTB: the last property name left unterminated" "$d" "unterminated string"
d=$(fresh "$K/arm64/vexpress.dtb" d-total); patch "$d" 4 "$(hex32be 0x100000)"
corrupt "DTB: totalsize beyond the file" "$d" "DTB is truncated: totalsize"
d=$(fresh "$K/arm64/vexpress.dtb" d-tok); patch "$d" $(( $(be32 "$d" 8) + 40 )) "00000007"
corrupt "DTB: a bad structure token" "$d" "broken DTB structure"

f=$(fresh "$T/fit.itb" fit-flip); flip "$f" 400000
corrupt "FIT: a flipped kernel byte" "$f" "FIT image 'kernel-1': hash-1 crc32 mismatch"
f=$(fresh "$T/fit-ext.itb" fit-cut); truncate -s $(( $(size_of "$f") - 1000 )) "$f"
corrupt "FIT with external data: the data cut" "$f" "data ["

# (removing it outright is refused: the section symbol is referenced)
m=$(fresh "$MOD" nomodinfo.ko); objcopy --rename-section .modinfo=.kbx_gone "$m"
corrupt "module with .modinfo removed" "$m" "module without .modinfo"
if [ -f "$T/signed.ko" ]; then
	m=$(fresh "$T/signed.ko" badsig.ko); n=$(size_of "$m")
	patch "$m" $((n - 28 - 4)) 7fffffff
	corrupt "signed module: signature length beyond the file" "$m" "module signature length 2147483647 is beyond"
fi
v=$(fresh "$K/x86_64/vmlinux" vmlinux-sh); patch "$v" 0x28 "ffffff7f00000000"
corrupt "vmlinux: section header table offset beyond the file" "$v" "damaged ELF"

summary artifacts
