#!/bin/sh
# Real make loading the real kbx.so: the functions, the error convention,
# argument handling, per-process indexing, loading and building on demand.
# Every make runs under valgrind when it is installed (KBX_VALGRIND=0: not).
. "$(dirname "$0")/../lib.sh"
F=$BUILD/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

VG=
if [ "${KBX_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
	VG="valgrind -q --error-exitcode=99 --leak-check=no"
fi

# mk NAME TEXT: runs TEXT as a makefile; output in $out, status in $rc
mk() {
	printf '%s\n' "$2" > "$T/$1.mk"
	out=$(cd "$T" && $VG make -s --no-print-directory -f "$1.mk" 2>&1)
	rc=$?
	[ "$rc" -ne 99 ] || fail "$1: valgrind found errors" "$out"
}

cat > "$T/System.map" <<'MAP'
ffffffff81000000 T _stext
ffffffff81000000 T startup_64
ffffffff81000040 t secondary_startup
ffffffff81000100 T start_kernel
ffffffff81000100 t start_kernel_alias
ffffffff81000400 T rest_init
ffffffff81000400 t start_kernel
ffffffff81000500 T _etext
MAP
printf '0x12345678\tkbx_a\tvmlinux\tEXPORT_SYMBOL\t\n0x9abcdef0\tkbx_b\tdrivers/x/y\tEXPORT_SYMBOL_GPL\tMY_NS\n' > "$T/Module.symvers"
L="load $KBX_SO"

# ---- the symbol functions -----------------------------------------------
mk sym "$L
\$(info \$(kbx-sym System.map,start_kernel))
\$(info [\$(kbx-sym System.map,no_such_symbol)])
all: ;"
check_eq "kbx-sym gives System.map's address; the first line wins; nothing for an unknown symbol" \
	"ffffffff81000100
[]" "$out"

mk addr2sym "$L
\$(info \$(kbx-addr2sym System.map,ffffffff81000123))
\$(info \$(kbx-addr2sym System.map,0xffffffff81000000))
\$(info [\$(kbx-addr2sym System.map,ffffffff80000000)])
\$(info [\$(kbx-addr2sym System.map,ffffffff81000600)])
all: ;"
check_eq "kbx-addr2sym: first alias, size to the next higher address, nothing outside the map" \
	"start_kernel+0x23/0x300
_stext+0x0/0x40
[]
[]" "$out"

mk symvers "$L
\$(info \$(kbx-symvers Module.symvers,kbx_b))
\$(info \$(kbx-symvers Module.symvers,kbx_a))
\$(info \$(kbx-symvers Module.symvers,kbx_b,crc)|\$(kbx-symvers Module.symvers,kbx_b,namespace)|\$(kbx-symvers Module.symvers,kbx_a,export))
all: ;"
check_eq "kbx-symvers: all fields as words, each field alone" \
	"0x9abcdef0 drivers/x/y EXPORT_SYMBOL_GPL MY_NS
0x12345678 vmlinux EXPORT_SYMBOL
0x9abcdef0|MY_NS|EXPORT_SYMBOL" "$out"

mk trim "$L
\$(info \$(kbx-sym  System.map ,  start_kernel ))
all: ;"
check_eq "arguments are trimmed of the blanks around commas" "ffffffff81000100" "$out"

mk fold "$L
x := \$(kbx-symvers Module.symvers,kbx_a,crc,extra)
all: ;"
check_contains "extra commas fold into the last argument (an unknown field here)" \
	"kbx-symvers: unknown field 'crc,extra'" "$out"

if [ -s "$F/modules/consumer/kbx_consumer.ko" ]; then
	M=$F/modules
	SV=$(cat "$F/kdir")/Module.symvers
	mk ko "$L
\$(info \$(kbx-ko-exports $M/provider/kbx_provider.ko))
\$(info \$(kbx-ko-unresolved $M/consumer/kbx_consumer.ko,$SV $M/provider_v2/Module.symvers))
\$(info [\$(kbx-ko-unresolved $M/consumer/kbx_consumer.ko,$SV $M/provider/Module.symvers)])
all: ;"
	check_eq "kbx-ko-exports and kbx-ko-unresolved over real modules in make" \
		"kbx_provider_gpl kbx_provider_hello kbx_provider_ns
kbx_provider_gpl kbx_provider_hello:crc kbx_provider_ns
[]" "$out"
	mk modcheck "$L
\$(info [\$(kbx-modules-check $M/consumer/kbx_consumer.ko $M/provider/kbx_provider.ko,$SV)])
\$(info \$(kbx-modules-check $M/consumer/kbx_consumer.ko,$SV,0.0-other))
all: ;"
	check_eq "kbx-modules-check in make: nothing for a clean pair, a line per problem otherwise" \
		"[]
$M/consumer/kbx_consumer.ko: vermagic" \
		"$(echo "$out" | sed 's/\(kbx_consumer.ko: vermagic\).*/\1/' | grep -v 'needs \"')"
	check_contains "... the consumer alone: its provider's symbol named, and the fix" \
		"needs \"kbx_provider_hello\", which nothing given exports (add the providing module's Module.symvers" "$out"
else
	skip "ko functions in make" "module fixtures not built"
fi

# ---- errors stop make at the caller's line --------------------------------
mk missing "$L

x := \$(kbx-sym nope.map,x)
all: ;"
check_eq "a missing map stops make: FILE:LINE: *** kbx-sym: PATH: REASON.  Stop." \
	"2 missing.mk:3: *** kbx-sym: nope.map: No such file or directory.  Stop." "$rc $out"

mk recipe "$L
all:
	@echo \$(kbx-symvers nope.symvers,x)"
check_eq "an error in a recipe names the recipe's line" \
	"2 recipe.mk:3: *** kbx-symvers: nope.symvers: No such file or directory.  Stop." "$rc $out"

mk dollar "$L
x := \$(kbx-sym \$\$HOME/\$\$(shell-nope).map,x)
all: ;"
check_eq "a \$ in a failing path reaches the message unexpanded" \
	"2 dollar.mk:2: *** kbx-sym: \$HOME/\$(shell-nope).map: No such file or directory.  Stop." "$rc $out"

mkdir "$T/adir"
: > "$T/empty"
head -c 3000 /dev/urandom > "$T/garbage"
printf '%5000s\n' x | tr ' ' a > "$T/longline"
printf 'ffffffffffffffff B The real System.map is in the linux-image-6.1.0-56-amd64-dbg package\n' > "$T/placeholder"
printf '0x1\tonly_two\n' > "$T/short.symvers"
for case in "adir:is a directory" "empty:empty file" "garbage:binary data" \
	"longline:line 1 is longer than 4096 bytes" \
	"placeholder:Debian's placeholder System.map: the real one is in the linux-image-6.1.0-56-amd64-dbg package"; do
	file=${case%%:*} why=${case#*:}
	mk "bad_$file" "$L
x := \$(kbx-sym $file,x)
all: ;"
	check_contains "kbx-sym on $file: a clear error, no crash" "bad_$file.mk:2: *** kbx-sym: $file: $why" "$out"
done
mk short "$L
x := \$(kbx-symvers short.symvers,x)
all: ;"
check_contains "Module.symvers with too few columns names the line" \
	"kbx-symvers: short.symvers: line 1: too few columns" "$out"
if [ -s "$F/le64.o" ]; then
	head -c 700 "$F/le64.o" > "$T/trunc.o"
	mk trunc "$L
x := \$(kbx-sym trunc.o,x)
all: ;"
	check_contains "a truncated ELF is a clear error" "kbx-sym: trunc.o: damaged ELF" "$out"
fi

# ---- one index per process, re-read when the file changes -----------------
printf 'ffffffff81000000 T first_version\nffffffff81000100 T end\n' > "$T/changing.map"
mk reread "$L
\$(info \$(kbx-sym changing.map,first_version))
\$(shell printf 'ffffffff82000000 T second_version\nffffffff82000100 T end\n' > changing.map)
\$(info [\$(kbx-sym changing.map,first_version)] \$(kbx-sym changing.map,second_version))
all: ;"
check_eq "a map rewritten during the make is read again" \
	"ffffffff81000000
[] ffffffff82000000" "$out"

printf 'ffffffff81000000 T aaaa\nffffffff81000100 T end\n' > "$T/same.map"
mk sameid "$L
\$(info \$(kbx-sym same.map,aaaa))
\$(shell sed -i s/aaaa/bbbb/ same.map; touch -d '2001-01-01' same.map)
\$(info [\$(kbx-sym same.map,aaaa)] \$(kbx-sym same.map,bbbb))
all: ;"
check_eq "same size, new mtime and inode: read again" "ffffffff81000000
[] ffffffff81000000" "$out"

# ---- the artifact functions ---------------------------------------------
if command -v dtc > /dev/null && command -v mkimage > /dev/null; then
	printf '/dts-v1/;\n/ { model = "kbx board"; compatible = "kbx,a", "kbx,b"; n = <1 0xffffffff>; };\n' > "$T/b.dts"
	dtc -q -I dts -O dtb -o "$T/b.dtb" "$T/b.dts"
	head -c 70000 /dev/zero > "$T/payload"
	printf 'Linux version 6.1.99-kbx (u@h) #1\n' >> "$T/payload"
	gzip -9 -c "$T/payload" > "$T/payload.gz"
	mkimage -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 \
		-n Linux-6.1.99-kbx -d "$T/payload.gz" "$T/uImage" > /dev/null
	cp "$T/uImage" "$T/uImage.bad"
	printf 'X' | dd of="$T/uImage.bad" bs=1 seek=100 conv=notrunc 2> /dev/null
	mk artifacts "$L
\$(info \$(kbx-identify b.dtb) \$(kbx-identify uImage) \$(kbx-identify nothing-here))
\$(info \$(kbx-dtb b.dtb,/,compatible)|\$(kbx-dtb b.dtb,/,n)|\$(kbx-dtb b.dtb,/,model))
\$(info \$(kbx-image uImage,arch) \$(kbx-image uImage,comp) \$(kbx-image uImage,load) \$(kbx-image uImage,name))
\$(info \$(kbx-release uImage))
\$(info [\$(kbx-verify uImage,arm)])
\$(info \$(kbx-verify uImage.bad))
\$(info \$(kbx-verify uImage,arm64))
all: ;"
	check_eq "kbx-identify, kbx-dtb (as fdtget), kbx-image, kbx-release, kbx-verify in make" \
		"dtb uImage missing
kbx,a kbx,b|1 -1|kbx board
arm gzip 0x00008000 Linux-6.1.99-kbx
6.1.99-kbx
[]
uImage.bad: uImage data CRC mismatch (stored $(printf '%08x' "0x$(file -b "$T/uImage" | sed 's/.*Data CRC: 0X\([0-9A-F]*\).*/\1/')")" \
		"$(printf '%s\n' "$out" | sed '6s/ (stored 0x\([0-9a-f]*\),.*/ (stored \1/; 7d')"
	check_eq "kbx-verify FILE,ARCH reports the wrong architecture" \
		"uImage: wrong architecture: arm uImage, wanted arm64" "$(printf '%s\n' "$out" | sed -n 7p)"

	mk image-error "$L
x := \$(kbx-image uImage.bad,nosuchfield)
all: ;"
	check_eq "kbx-image: an unknown field stops make, naming the fields there are" \
		"image-error.mk:2: *** kbx-image: unknown field 'nosuchfield' (format arch bits endian size load entry name os type comp crc text-offset image-size page-size payload release).  Stop." \
		"$out"
	mk image-error2 "$L
v := \$(kbx-image payload,arch)
all: ;"
	check_eq "kbx-image of a file that is no artifact: FILE:LINE: *** kbx-image: PATH: REASON.  Stop." \
		"image-error2.mk:2: *** kbx-image: payload: not a kernel artifact (unknown format).  Stop." "$out"
	printf 'Linux version 6.1.100-new (u@h) #2\n' | gzip -9 > "$T/payload2.gz"
	mkimage -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 \
		-n Linux-6.1.100-new -d "$T/payload2.gz" "$T/uImage.new" > /dev/null
	cp "$T/uImage" "$T/uImage.swap"
	mk release-cache "$L
a := \$(kbx-release uImage.swap)|\$(kbx-verify uImage.swap)
b := \$(kbx-release uImage.swap)|\$(kbx-verify uImage.swap)
\$(shell sleep 0.01; cp uImage.new uImage.swap.tmp; mv uImage.swap.tmp uImage.swap)
c := \$(kbx-release uImage.swap)|\$(kbx-verify uImage.swap,arm64)
\$(info \$(a) \$(b) \$(c))
all: ;"
	check_eq "kbx-release and kbx-verify (cached per file version): a replaced image is read again" \
		"6.1.99-kbx| 6.1.99-kbx| 6.1.100-new|uImage.swap: wrong architecture: arm uImage, wanted arm64" "$out"
	mk release-dtb "$L
\$(info [\$(kbx-release b.dtb)])
all: ;"
	check_eq "kbx-release of a DTB expands to nothing" "[]" "$out"
else
	skip "artifact functions in make" "dtc or mkimage missing"
fi
if [ -s "$F/modules/provider/kbx_provider.ko" ]; then
	cp "$F/modules/provider/kbx_provider.ko" "$T/p.ko"
	printf 'CONFIG_A=y\nCONFIG_S="a \\"q\\" b"\n# CONFIG_N is not set\n' > "$T/dot.config"
	mk modinfo "$L
\$(info \$(kbx-modinfo p.ko,license)|\$(kbx-modinfo p.ko,signed)|\$(kbx-modinfo p.ko,signer)|\$(kbx-release p.ko))
\$(info \$(kbx-kconfig dot.config,A)|\$(kbx-kconfig dot.config,CONFIG_S)|\$(kbx-kconfig dot.config,N)|)
all: ;"
	check_eq "kbx-modinfo (signed/signer of an unsigned module), kbx-release of a .ko, kbx-kconfig of a .config" \
		"GPL|no||$(modinfo -F vermagic "$T/p.ko" | cut -d' ' -f1)
y|a \"q\" b||" "$out"
fi


# ---- toolchain probing ------------------------------------------------------
export KBX_CACHE_DIR="$T/cache"
mk probes "$L
\$(info [\$(kbx-cc-option gcc,-fno-PIE)] [\$(kbx-cc-option gcc,-fbogus-kbx,alt)] [\$(kbx-cc-disable-warning gcc,unused-variable)])
\$(info [\$(kbx-cc-options gcc,-O2 -fbogus-kbx -fno-common)] [\$(kbx-cc gcc,family)] [\$(kbx-as-instr gcc,nop,yes,no)] [\$(kbx-ld-option ld,--bogus-kbx,alt)])
all: ;"
check_eq "cc-option, cc-disable-warning, cc-options, kbx-cc, as-instr, ld-option in make; no compiler stderr" \
	"[-fno-PIE] [alt] [-Wno-unused-variable]
[-O2 -fno-common] [gcc] [yes] [alt]" "$out"
mk probes-unusable "$L
\$(info [\$(kbx-cc-option gcc,-fno-PIE)] [\$(kbx-cc-option gcc,-fno-common)])
all: ;"
out=$(cd "$T" && KBX_CACHE_DIR=/dev/null/kbx $VG make -s --no-print-directory -f probes-unusable.mk 2>&1)
check_eq "an unusable cache: one make warning at the calling line, right answers" \
	"probes-unusable.mk:2: kbx: cache directory /dev/null/kbx/probes is not usable (Not a directory): probing without a cache
[-fno-PIE] [-fno-common]" "$out"
# probes from recipes while make -j4 runs other children: make's own
# SIGCHLD handling and kbx's waitpid must not trip over each other
printf '%s\n' "$L" 'T := a b c d e f g h' 'all: $(T)' '$(T):' \
	'	@sleep 0.1; echo $@ $(kbx-cc-option gcc,-D$@) $(kbx-cc-option gcc,-fbogus-$@,no)' > "$T/jobs.mk"
out=$(cd "$T" && $VG make -s -j4 -f jobs.mk 2>&1 | sort | tr '\n' ' ')
check_eq "probes in recipes under make -j4" \
	"a -Da no b -Db no c -Dc no d -Dd no e -De no f -Df no g -Dg no h -Dh no " "$out"
unset KBX_CACHE_DIR


# ---- what the plug-in exports -------------------------------------------------
syms=$(nm -D --defined-only "$KBX_SO" | awk '{print $3}' | sort | tr '\n' ' ')
check_eq "kbx.so exports only its setup and plugin_is_GPL_compatible" \
	"kbx_gmk_setup plugin_is_GPL_compatible " "$syms"

# The next ABI (GMK_ABI_VERSION) passes the version before the floc and
# calls an unload hook: that branch must compile and export both.
if ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes -fPIC -fvisibility=hidden \
	-D_GNU_SOURCE -DGMK_ABI_VERSION=1 -c "$TOP/plugin/make.c" -o "$T/abi.o" 2> "$T/abi.err"; then
	syms=$(nm "$T/abi.o" | awk 'NF == 3 && $2 ~ /^[TBD]$/ {print $3}' | sort | tr '\n' ' ')
	check_eq "the GMK_ABI_VERSION setup and unload hook compile and are the only globals" \
		"kbx_gmk_setup kbx_gmk_unload plugin_is_GPL_compatible " "$syms"
else
	fail "make.c compiles for the GMK_ABI_VERSION ABI" "$(cat "$T/abi.err")"
fi

# ---- the loader fragment -----------------------------------------------------
mk loader "include $TOP/mk/kbx.mk
include $TOP/mk/kbx.mk
all:
	@echo \$(kbx-sym System.map,rest_init)"
check_eq "mk/kbx.mk loads kbx.so (included twice: loaded once)" "ffffffff81000400" "$out"

mkdir -p "$T/tree"
(cd "$TOP" && cp -r Makefile mk plugin "$T/tree/" && mkdir -p "$T/tree/tests" && cp tests/tests.mk "$T/tree/tests/")
rm -f "$T/tree/plugin/kbx.so" "$T/tree/plugin/kbx"
printf 'include %s/tree/mk/kbx.mk\nall:\n\t@echo $(kbx-sym System.map,rest_init)\n' "$T" > "$T/ondemand.mk"
out=$(cd "$T" && make -s -f ondemand.mk 2>&1)
check_eq "a missing kbx.so is built from the source tree, then make restarts and loads it" \
	"  BUILD   $T/tree/plugin/kbx.so
ffffffff81000400" "$out"
out=$(cd "$T" && make -s -f ondemand.mk 2>&1)
check_eq "the next make loads the built object without rebuilding" "ffffffff81000400" "$out"
echo 'not an object' > "$T/tree/plugin/kbx.so"
out=$(cd "$T" && make -s -f ondemand.mk 2>&1)
check_contains "a damaged kbx.so gets one clear error" "kbx.so exists but could not be loaded" "$out"
mkdir -p "$T/installed/mk"
cp "$TOP/mk/kbx.mk" "$T/installed/mk/"
printf 'include %s/installed/mk/kbx.mk\nall: ;\n' "$T" > "$T/noobj.mk"
out=$(cd "$T" && make -s -f noobj.mk 2>&1)
check_contains "no object and no source tree: one clear error" "no such object and no kbx source tree" "$out"

summary make
