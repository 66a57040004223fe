#!/bin/sh
# Toolchain probing against the real thing: kbx's cc-option, ld-option,
# as-instr and cc-disable-warning next to the kernel's own
# scripts/Makefile.compiler (linux-source-6.1) in the same make, on the
# flags the kernel's Makefiles really probe; kbx-cc against what the
# compilers say; the persistent cache under stress, invalidation, damage
# and an unwritable directory; and bad input.
. "$(dirname "$0")/../lib.sh"
SRC=$BUILD/kernels/src
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2> /dev/null; rm -rf "$T"' EXIT
export KBX_CACHE_DIR="$T/cache"

if [ ! -f "$SRC/scripts/Makefile.compiler" ]; then
	skip "toolchain suite" "linux-source-6.1 not unpacked: run make kernels"
	summary toolchain
	exit
fi
have() { command -v "$1" > /dev/null 2>&1; }

# ---- the flags the kernel probes ----------------------------------------------
# Every literal first argument of cc-option in the kernel's Makefiles (with
# several flags joined by |), plus bogus ones.
(cd "$SRC" && grep -oh 'call cc-option,[^,)$]*' Makefile arch/*/Makefile \
	arch/*/Makefile.* scripts/Makefile.* 2> /dev/null) |
	sed 's/call cc-option,//; s/^ *//; s/ *$//' | grep -v '^$' | grep -v '\\' |
	sort -u | tr ' ' '|' > "$T/flags"
printf '%s\n' -fbogus-kbx -mbogus-kbx -Wbogus-kbx '-O2|-fbogus-kbx' \
	'-Wno-bogus-kbx' >> "$T/flags"
(cd "$SRC" && grep -oh 'call cc-disable-warning,[^,)$]*' Makefile \
	arch/*/Makefile scripts/Makefile.* 2> /dev/null) |
	sed 's/call cc-disable-warning,//; s/^ *//; s/ *$//' | sort -u > "$T/warnings"
echo bogus-kbx-warning >> "$T/warnings"
n_flags=$(wc -l < "$T/flags")
n_warn=$(wc -l < "$T/warnings")

# One make: Kbuild's answer and kbx's for each probe, tab-separated.
cat > "$T/cmp.mk" <<MK
load $KBX_SO
include $SRC/scripts/Makefile.compiler
tab := \$(subst ,,	)
flags := \$(file <$T/flags)
warnings := \$(file <$T/warnings)
\$(foreach f,\$(flags),\$(info cc-option \$(f)\$(tab)\$(strip \$(call cc-option,\$(subst |, ,\$(f)),ALT))\$(tab)\$(kbx-cc-option \$(CC),\$(subst |, ,\$(f)),ALT)))
\$(foreach w,\$(warnings),\$(info cc-disable-warning \$(w)\$(tab)\$(strip \$(call cc-disable-warning,\$(w)))\$(tab)\$(kbx-cc-disable-warning \$(CC),\$(w))))
all: ;
MK
compare() { # LABEL FILE: every line's two answers agree
	bad=$(awk -F'\t' '$2 != $3' "$2")
	n=$(wc -l < "$2")
	if [ -z "$bad" ] && [ "$n" -gt 60 ]; then
		pass "$1: kbx = Kbuild's Makefile.compiler on all $n probes"
	else
		fail "$1 ($n probes)" "$(echo "$bad" | head -5)"
	fi
}
for cc in gcc clang aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc; do
	have "$cc" || { skip "cc-option with $cc" "not installed"; continue; }
	make -s -f "$T/cmp.mk" CC="$cc" > "$T/out-$cc" 2> "$T/err-$cc"
	compare "cc-option and cc-disable-warning, $cc ($n_flags flags, $n_warn warnings)" "$T/out-$cc"
done
check_eq "no compiler message leaks into make's output" "" \
	"$(grep -v 'Unterminated\|^$' "$T"/err-* | head -3)"

# ld-option and as-instr, with the linkers and assemblers the kernel uses
printf '%s\n' --no-apply-dynamic-relocs --no-warn-rwx-segments -X \
	-maarch64elf -maarch64elfb '--build-id=sha1' '-z|noexecstack' \
	'-z|max-page-size=4096' --orphan-handling=warn --pack-dyn-relocs=relr \
	--use-android-relr-tags --no-undefined --bogus-kbx '-z|bogus-kbx' \
	> "$T/ldflags"
cat > "$T/ld.mk" <<MK
load $KBX_SO
include $SRC/scripts/Makefile.compiler
tab := \$(subst ,,	)
\$(foreach f,\$(file <$T/ldflags),\$(info ld-option \$(f)\$(tab)\$(strip \$(call ld-option,\$(subst |, ,\$(f)),ALT))\$(tab)\$(kbx-ld-option \$(LD),\$(subst |, ,\$(f)),ALT)))
all: ;
MK
for ld in ld.bfd ld.lld aarch64-linux-gnu-ld arm-linux-gnueabihf-ld; do
	have "$ld" || continue
	make -s -f "$T/ld.mk" LD="$ld" > "$T/ld-$ld"
	bad=$(awk -F'\t' '$2 != $3' "$T/ld-$ld")
	check_eq "ld-option, $ld: kbx = Kbuild on $(wc -l < "$T/ldflags") flags" "" "$bad"
done

cat > "$T/as.mk" <<MK
load $KBX_SO
include $SRC/scripts/Makefile.compiler
comma := ,
tab := \$(subst ,,	)
\$(foreach i,\$(INSTRS),\$(info as-instr \$(i)\$(tab)\$(call as-instr,\$(subst ~, ,\$(subst _C_,\$(comma),\$(i))),Y,N)\$(tab)\$(kbx-as-instr \$(CC),\$(subst ~, ,\$(subst _C_,\$(comma),\$(i))),Y,N)))
all: ;
MK
as_check() { # CC INSTRS (~ for a space, _C_ for a comma)
	have "$1" || return 0
	make -s -f "$T/as.mk" CC="$1" INSTRS="$2" > "$T/as-$1"
	bad=$(awk -F'\t' '$2 != $3' "$T/as-$1")
	check_eq "as-instr, $1: kbx = Kbuild ($(wc -l < "$T/as-$1") instructions, accepted and not)" "" "$bad"
}
as_check aarch64-linux-gnu-gcc '.arch_extension~rcpc .arch~armv8.3-a\npaciasp .cfi_startproc\n.cfi_endproc msr~tco_C_~#0 bogus~insn'
as_check arm-linux-gnueabihf-gcc '.arch~armv7-a\n.arch_extension~sec\nsmc~#0 .arch~armv8-a\nvmrs~r0_C_~fpscr bogus~insn'
as_check gcc '.cfi_startproc\n.cfi_endproc movdir64b~(%rax)_C_%rax tpause~%ecx bogus~insn'
as_check clang '.cfi_startproc\n.cfi_endproc movdir64b~(%rax)_C_%rax bogus~insn'

# ---- kbx-cc-options: fewer runs, the same answers -------------------------------
# The host's own flags (top Makefile, arch/x86, extrawarn): what a product
# Makefile would batch. All the kernel's flags too, most of them for other
# arches: the answers must still match, at a few runs' extra cost.
(cd "$SRC" && grep -oh 'call cc-option,[^,)$ ]*' Makefile arch/x86/Makefile \
	scripts/Makefile.extrawarn) | sed 's/call cc-option,//' | grep '^-' |
	sort -u | tr '\n' ' ' > "$T/host"
grep -v '|' "$T/flags" | tr '\n' ' ' > "$T/single"
options_runs() { # CC LIST: compiler runs (cache writes, helpers included)
	rm -rf "$T/cache-opt"
	printf 'load %s\n$(info $(kbx-cc-options %s,$(file <%s)))\nall: ;\n' \
		"$KBX_SO" "$1" "$2" > "$T/opt.mk"
	KBX_CACHE_DIR=$T/cache-opt make -s -f "$T/opt.mk" > "$T/opt-out"
	KBX_CACHE_DIR=$T/cache-opt "$KBX" cache stats | sed -n 's/^writes: //p'
}
for cc in gcc clang; do
	for list in host single; do
		printf 'load %s\n$(info $(foreach x,$(file <%s),$(kbx-cc-option %s,$(x))))\nall: ;\n' \
			"$KBX_SO" "$T/$list" "$cc" > "$T/alone.mk"
		alone=$(make -s -f "$T/alone.mk")
		runs=$(options_runs "$cc" "$T/$list")
		n=$(wc -w < "$T/$list")
		check_eq "cc-options, $cc, $list flags: the same $(echo $alone | wc -w) of $n as each probed alone" \
			"$(echo $alone)" "$(echo $(cat "$T/opt-out"))"
		# mostly accepted: fewer runs than flags; mostly refused: a
		# few more than probing each alone, never many
		if [ $(( $(echo $alone | wc -w) * 2 )) -gt "$n" ]; then
			limit=$((n - 1))
		else
			limit=$((n + 5))
		fi
		if [ "$runs" -le "$limit" ]; then
			pass "cc-options, $cc, $list flags: $n flags in $runs compiler runs (limit $limit)"
		else
			fail "cc-options, $cc, $list flags: $n flags took $runs runs (limit $limit)"
		fi
	done
done

# ---- the cache: warm, shared, invalidated, damaged, unwritable --------------------
make -s -f "$T/cmp.mk" CC=gcc > "$T/warm-gcc"
check_eq "a warm cache gives the same answers" "" "$(cmp "$T/out-gcc" "$T/warm-gcc")"

"$KBX" cache clear > /dev/null
cat > "$T/one.mk" <<MK
load $KBX_SO
\$(info \$(kbx-cc-option \$(CC),-fkbx-new,no))
all: ;
MK
mkdir -p "$T/bin"
printf '#!/bin/sh\nfor a; do [ "$a" = -fkbx-new ] && exit 1; done\nexec gcc "$@"\n' > "$T/bin/v1"
# v2 accepts -fkbx-new by replacing it with a flag gcc knows
printf '#!/bin/sh\nfor a; do shift; [ "$a" = -fkbx-new ] && a=-fno-common; set -- "$@" "$a"; done\nexec gcc "$@"\n' > "$T/bin/v2"
chmod +x "$T/bin/v1" "$T/bin/v2"
cp "$T/bin/v1" "$T/bin/kbxcc"
a=$(make -s -f "$T/one.mk" CC="$T/bin/kbxcc")
b=$(make -s -f "$T/one.mk" CC="$T/bin/kbxcc")
sleep 0.01
cp "$T/bin/v2" "$T/bin/kbxcc"
c=$(make -s -f "$T/one.mk" CC="$T/bin/kbxcc")
writes_before=$("$KBX" cache stats | sed -n 's/^writes: //p')
touch "$T/bin/kbxcc"
d=$(make -s -f "$T/one.mk" CC="$T/bin/kbxcc")
writes_after=$("$KBX" cache stats | sed -n 's/^writes: //p')
check_eq "a compiler copied over is probed again (no, no from the cache, then yes)" \
	"no no -fkbx-new" "$a $b $c"
check_eq "a touched compiler is probed again (answer the same, a new entry written)" \
	"-fkbx-new yes" "$d $([ "$writes_after" -gt "$writes_before" ] && echo yes)"

# 16 makes at once, 100 probes each, one cache: every answer equal to the
# uncached one, and a second round all hits (a damaged entry would miss)
i=0
: > "$T/stress-flags"
while [ $i -lt 100 ]; do
	case $((i % 4)) in
	0) echo "-DKBX_STRESS_$i" ;;
	1) echo "-fkbx-bogus-$i" ;;
	*) sed -n "$((i % 120 + 1))p" "$T/flags" | grep -v '|' || echo "-DKBX_$i" ;;
	esac >> "$T/stress-flags"
	i=$((i + 1))
done
cat > "$T/stress.mk" <<MK
load $KBX_SO
\$(foreach f,\$(file <$T/stress-flags),\$(info \$(f)=\$(kbx-cc-option gcc,\$(f),no)))
all: ;
MK
KBX_CACHE=0 make -s -f "$T/stress.mk" > "$T/stress-ref"
rm -rf "$T/cache-stress"
i=0
while [ $i -lt 16 ]; do
	KBX_CACHE_DIR=$T/cache-stress make -s -f "$T/stress.mk" > "$T/stress-$i" 2>&1 &
	i=$((i + 1))
done
wait
bad=0
i=0
while [ $i -lt 16 ]; do cmp -s "$T/stress-ref" "$T/stress-$i" || bad=$((bad + 1)); i=$((i + 1)); done
KBX_CACHE_DIR=$T/cache-stress "$KBX" cache stats > "$T/stress-stats"
KBX_CACHE_DIR=$T/cache-stress make -s -f "$T/stress.mk" > "$T/stress-again"
misses=$(tail -1 "$T/cache-stress/stats.log" | cut -d' ' -f2)
entries=$(sed -n 's/^entries: \([0-9]*\).*/\1/p' "$T/stress-stats")
check_eq "16 makes x 100 probes on one cache: all answers equal the uncached ones" "0" "$bad"
check_eq "after the stress: 100 sound entries (plus the helpers), a fresh make hits them all" \
	"yes 0 same" "$([ "$entries" -ge 100 ] && echo yes) $misses $(cmp -s "$T/stress-ref" "$T/stress-again" && echo same)"

# a damaged entry: ignored, answered right, rewritten
for e in "$T"/cache-stress/probes/*; do
	truncate -s 20 "$e"
done
KBX_CACHE_DIR=$T/cache-stress make -s -f "$T/stress.mk" > "$T/stress-damaged"
KBX_CACHE_DIR=$T/cache-stress make -s -f "$T/stress.mk" > /dev/null
misses=$(tail -1 "$T/cache-stress/stats.log" | cut -d' ' -f2)
check_eq "truncated entries are ignored (right answers) and rewritten (no miss after)" \
	"same 0" "$(cmp -s "$T/stress-ref" "$T/stress-damaged" && echo same) $misses"

# an unusable directory: one warning, the right answers
out=$(KBX_CACHE_DIR=/dev/null/kbx make -s -f "$T/stress.mk" 2> "$T/unusable-err")
check_eq "a cache directory that cannot be made: right answers, one warning" \
	"same 1" "$(echo "$out" | cmp -s "$T/stress-ref" - && echo same) $(grep -c 'kbx: cache directory /dev/null/kbx/probes is not usable' "$T/unusable-err")"
if [ "$(id -u)" = 0 ] && have setpriv; then
	mkdir -p "$T/rootcache/probes" && chmod 755 "$T/rootcache" "$T/rootcache/probes"
	chmod 755 "$T" && chmod 644 "$T/stress.mk" "$T/stress-flags"
	out=$(cd /tmp && KBX_CACHE_DIR=$T/rootcache setpriv --reuid=65534 --regid=65534 --clear-groups \
		make -s -f "$T/stress.mk" 2> "$T/root-err")
	check_eq "a root-owned cache used by another user: right answers, one warning" \
		"same 1" "$(echo "$out" | cmp -s "$T/stress-ref" - && echo same) $(grep -c 'is not usable' "$T/root-err")"
fi

# ---- kbx-cc against what the compilers say ------------------------------------------
for cc in gcc aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc; do
	have "$cc" || continue
	v=$($cc -dumpfullversion)
	check_eq "kbx-cc $cc: family, version (-dumpfullversion), triple (-dumpmachine)" \
		"gcc $v $($cc -dumpmachine)" \
		"$("$KBX" cc $cc family) $("$KBX" cc $cc version) $("$KBX" cc $cc triple)"
done
cv=$(clang --version | sed -n '1s/.*clang version \([0-9.]*\).*/\1/p')
check_eq "kbx-cc clang --target=aarch64-linux-gnu: version from clang --version, arch arm64" \
	"clang $cv arm64 $(clang --target=aarch64-linux-gnu -dumpmachine)" \
	"$("$KBX" cc 'clang --target=aarch64-linux-gnu' family) $("$KBX" cc 'clang --target=aarch64-linux-gnu' version) $("$KBX" cc 'clang --target=aarch64-linux-gnu' arch) $("$KBX" cc 'clang --target=aarch64-linux-gnu' triple)"
check_eq "kbx-cc: version-code as CONFIG_GCC_VERSION, path, through ccache" \
	"$(gcc -dumpfullversion | awk -F. '{print $1 * 10000 + $2 * 100 + $3}') $(command -v aarch64-linux-gnu-gcc) arm64" \
	"$("$KBX" cc gcc version-code) $("$KBX" cc 'ccache aarch64-linux-gnu-gcc' path) $("$KBX" cc 'ccache aarch64-linux-gnu-gcc' arch)"

check_eq "kbx-cross: Debian's cross prefixes for arm64, arm and x86" \
	"aarch64-linux-gnu- arm-linux-gnueabihf- x86_64-linux-gnu-" \
	"$("$KBX" cross arm64) $("$KBX" cross arm) $("$KBX" cross x86_64)"
mkdir -p "$T/path"
ln -s "$(command -v aarch64-linux-gnu-gcc)" "$T/path/board-vendor-gcc"
check_eq "kbx-cross: any *-gcc on PATH whose triple is the ARCH's" "board-vendor-" \
	"$(PATH=$T/path "$KBX" cross arm64)"
check_eq "kbx-cross: nothing for an ARCH without a toolchain here" "" \
	"$(PATH=$T/path "$KBX" cross riscv)"
check_eq "kbx-tools: what a prefix lacks on PATH" "foo" \
	"$("$KBX" tools aarch64-linux-gnu- gcc ld objcopy foo)"

# ---- bad input ---------------------------------------------------------------------
printf '#!/bin/sh\nsleep 60\n' > "$T/bin/hangcc"
chmod +x "$T/bin/hangcc"
bad_mk() { printf 'load %s\n$(info [%s])\nall: ;\n' "$KBX_SO" "$1" > "$T/bad.mk"; make -s -f "$T/bad.mk" 2>&1; }
check_eq "an empty CC stops make" \
	"$T/bad.mk:2: *** kbx-cc-option: no compiler given (it is empty).  Stop." \
	"$(bad_mk '$(kbx-cc-option ,-O2)')"
check_eq "a CC not on PATH stops make" \
	"$T/bad.mk:2: *** kbx-cc: compiler 'no-such-gcc' not found on PATH.  Stop." \
	"$(bad_mk '$(kbx-cc no-such-gcc,version)')"
check_eq "/bin/false as CC: every flag is refused (as Kbuild says), and it is no compiler" \
	"[ALT]
$T/bad.mk:2: *** kbx-cc: 'false' is not a C compiler kbx knows (it names no gcc or clang version).  Stop." \
	"$(bad_mk '$(kbx-cc-option false,-O2,ALT)'; bad_mk '$(kbx-cc false,version)')"
t0=$(date +%s)
out=$(KBX_PROBE_TIMEOUT=2 bad_mk "\$(kbx-cc-option $T/bin/hangcc,-O2)")
t1=$(date +%s)
check_eq "a compiler that hangs is killed after KBX_PROBE_TIMEOUT and named (in $((t1 - t0)) s)" \
	"$T/bad.mk:2: *** kbx-cc-option: '$T/bin/hangcc' did not finish within 2 s and was killed (KBX_PROBE_TIMEOUT).  Stop. fast" \
	"$out $([ $((t1 - t0)) -lt 5 ] && echo fast)"
check_eq "an unknown ARCH stops make" \
	"$T/bad.mk:2: *** kbx-cross: unknown ARCH 'vax'.  Stop." "$(bad_mk '$(kbx-cross vax)')"
check_eq "an unknown kbx-cc field names the fields" \
	"$T/bad.mk:2: *** kbx-cc: unknown field 'colour' (family version version-code triple arch path sysroot).  Stop." \
	"$(bad_mk '$(kbx-cc gcc,colour)')"

summary toolchain
