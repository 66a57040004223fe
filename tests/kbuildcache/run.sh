#!/bin/sh
# Kbuild's own probes from kbx's cache (mk/kbuild-try-run.mk, handed to
# Kbuild's make by kbuild.mk and module.mk): the same flags as Kbuild's own
# probes give, byte for byte in the .cmd files of a module and of a kernel;
# a replaced or touched compiler probed again; an unusable cache dir, a
# corrupt entry and a tree whose try-run has another shape fall back to
# Kbuild's behaviour with a warning at most.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/cache/ccache}
M="make --no-print-directory"

KDEB=
for d in /usr/src/linux-headers-*-amd64; do
	[ -f "$d/Module.symvers" ] && KDEB=$d
done

# ---- try-run itself, in a make that reads kbuild-try-run.mk as Kbuild's does ----
# readable by nobody (the unwritable-cache case), scratch space anyone can use
chmod 755 "$T"
mkdir -p "$T/bin" "$T/w" && chmod 1777 "$T/w"
cat > "$T/bin/kbxcc" <<'SH'
#!/bin/sh
# version 1: refuses -fkbx-probe, as a compiler without that flag would
for a in "$@"; do [ "$a" = -fkbx-probe ] && exit 1; done
exec gcc "$@"
SH
cat > "$T/cc2" <<'SH'
#!/bin/sh
# version 2: accepts -fkbx-probe (drops it before gcc sees it)
for a in "$@"; do shift; [ "$a" = -fkbx-probe ] || set -- "$@" "$a"; done
exec gcc "$@"
SH
chmod +x "$T/bin/kbxcc" "$T/cc2"
cat > "$T/probe.mk" <<MK
TMPOUT = $T/w/.tmp_\$\$\$\$
include $TOP/mk/kbuild-try-run.mk
\$(info [\$(call try-run,kbxcc -Werror -fkbx-probe -c -x c /dev/null -o "\$\$TMP",-fkbx-probe, no)])
\$(info [\$(call try-run,printf "%b\n" "nop" | gcc -c -x assembler-with-cpp -o "\$\$TMP" -,  as-yes  ,as-no)])
all: ;
MK
probe() { PATH=$T/bin:$PATH KBX_CACHE_DIR=$T/cache $M -s -f "$T/probe.mk" 2>&1; }
misses() { KBX_CACHE_DIR=$T/cache "$KBX" cache stats | sed -n 's/^misses: //p'; }
out=$(probe)
check_eq "try-run through kbx: Kbuild's answers, its echo's blanks kept" \
	"[ no]
[  as-yes  ]" "$out"
m0=$(misses)
out=$(probe)
check_eq "... the same from the cache, no probe run again" "[ no]|$m0" "$(echo "$out" | head -1)|$(misses)"
cp "$T/cc2" "$T/bin/kbxcc"
out=$(probe)
m1=$(misses)
check_eq "a compiler replaced (copied over): probed again, the new answer" "[-fkbx-probe]|yes" \
	"$(echo "$out" | head -1)|$([ "$m1" -gt "$m0" ] && echo yes)"
touch -d '2 minutes ago' "$T/bin/kbxcc"
out=$(probe)
check_eq "... touched: probed again" "[-fkbx-probe]|yes" \
	"$(echo "$out" | head -1)|$([ "$(misses)" -gt "$m1" ] && echo yes)"
for f in "$T"/cache/probes/*; do printf 'garbage' > "$f"; done
check_eq "corrupt cache entries: the answers still Kbuild's" "[-fkbx-probe]
[  as-yes  ]" "$(probe)"
mkdir -p "$T/ro" && chmod 555 "$T/ro"
out=$(PATH=$T/bin:$PATH KBX_CACHE_DIR=$T/ro/cache setpriv --reuid=nobody --regid=nogroup --clear-groups \
	make -s -f "$T/probe.mk" 2>&1)
check_eq "an unwritable cache dir: one warning, the answers still right" "1|[-fkbx-probe]" \
	"$(echo "$out" | grep -c 'kbx: ')|$(echo "$out" | grep -v 'kbx: ' | head -1)"

# ---- a module: built with and without, the same flags -------------------------
# "same" when hello's .cmd files in DIR (its paths edited by SED) are those
# Kbuild alone wrote in $T/m-off; else the first that differs
same_cmds() { # DIR [SED]
	for f in .hello.o.cmd .hello.mod.o.cmd .hello.ko.cmd; do
		sed "s|$1|M|g; ${2:-}" "$1/$f" > "$T/a"
		sed "s|$T/m-off|M|g" "$T/m-off/$f" > "$T/b"
		cmp -s "$T/a" "$T/b" && [ -s "$T/a" ] || echo "$f differs"
	done | head -1 | grep . || echo same
}
if [ -n "$KDEB" ]; then
	for v in on off; do
		mkdir -p "$T/m-$v"
		cp "$TOP/samples/hello-module/hello.c" "$T/m-$v/"
		printf 'obj-m := hello.o\ninclude %s/mk/module.mk\n' "$TOP" > "$T/m-$v/Makefile"
	done
	KBX_CACHE_DIR=$T/kc $M -s -C "$T/m-on" modules KDIR="$KDEB" > /dev/null 2>&1
	KBX_CACHE_DIR=$T/kc $M -s -C "$T/m-on" modules-clean KDIR="$KDEB" > /dev/null 2>&1
	KBX_CACHE_DIR=$T/kc $M -s -C "$T/m-on" modules KDIR="$KDEB" > /dev/null 2>&1
	KBX_KBUILD_CACHE=0 $M -s -C "$T/m-off" modules KDIR="$KDEB" > /dev/null 2>&1
	check_eq "a module built from kbx's warm cache and by Kbuild alone: the same .cmd files" "same" \
		"$(same_cmds "$T/m-on")"
	check_contains "... and the cache answered Kbuild's probes" "hits: " \
		"$(KBX_CACHE_DIR=$T/kc "$KBX" cache stats | grep -v '^hits: 0$')"
	fresh_on=$(KBX_CACHE_DIR=$T/kc make -C "$T/m-on" modules KDIR="$KDEB" V=1 2>&1 | grep -c "MAKEFILES=.*kbuild-try-run.mk")
	fresh_off=$(KBX_KBUILD_CACHE=0 make -C "$T/m-on" modules KDIR="$KDEB" V=1 2>&1 | grep -c "MAKEFILES=.*kbuild-try-run.mk")
	check_eq "KBX_KBUILD_CACHE=0 hands Kbuild nothing of kbx's" "1 0" "$fresh_on $fresh_off"

	# The Debian headers as they are laid out (KDIR's Makefile includes the
	# -common one, scripts/ is a link into linux-kbuild), copied under $T
	# with their try-run edited
	common=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$KDEB/Makefile")
	kbuild=$(readlink -f "$KDEB/scripts/..")
	if [ -d "$common" ] && [ -d "$kbuild" ]; then
		R=$T/root
		for d in "$KDEB" "$common" "$kbuild"; do
			mkdir -p "$R$(dirname "$d")" && cp -a "$d" "$R$d"
		done
		printf 'include %s/Makefile\n' "$R$common" > "$R$KDEB/Makefile"
		sed -i 's/^try-run = \$(shell set -e;/try-run = $(shell set -e; : edited;/' \
			"$R$kbuild/scripts/Makefile.compiler"
		mkdir -p "$T/m-edit"
		cp "$T/m-off/hello.c" "$T/m-off/Makefile" "$T/m-edit/"
		out=$(KBX_CACHE_DIR=$T/kc $M -s -C "$T/m-edit" modules KDIR="$R$KDEB" 2>&1)
		check_eq "Debian headers whose try-run has another shape: one warning, the module still built" \
			"1|yes" "$(echo "$out" | grep -c "scripts/Makefile.compiler: its try-run is not the one kbx knows")|$([ -f "$T/m-edit/hello.ko" ] && echo yes)"
		check_eq "... with Kbuild's own flags, those of the untouched headers" "same" \
			"$(same_cmds "$T/m-edit" "s|$R/|/|g")"
	else
		skip "Debian headers with another try-run" "KDIR's layout is not Debian's"
	fi
else
	skip "module flags with and without the cache" "no linux-headers-amd64"
fi

# ---- a kernel: the tinyconfig of the kbuild suite, with and without --------------
SRC=$BUILD/kernels/src
W=$BUILD/kbuild-test
if [ -f "$W/out/kernel/arch/arm64/boot/Image" ]; then
	# both from scratch (ccache makes it quick); the cache is warm from the
	# kbuild suite's builds of the same configuration
	for v in cache nocache; do
		$M -s -C "$W" kernel-distclean KERNEL_OUT="$W/out/$v" > /dev/null 2>&1
	done
	$M -s -j"$(nproc)" -C "$W" kernel KERNEL_OUT="$W/out/cache" > /dev/null 2>&1
	$M -s -j"$(nproc)" -C "$W" kernel KERNEL_OUT="$W/out/nocache" KBX_KBUILD_CACHE=0 > /dev/null 2>&1
	n=$(cd "$W/out/cache" && find . -name '*.cmd' | wc -l)
	diffs=$(cd "$W/out/cache" && find . -name '*.cmd' | while read -r f; do
		cmp -s "$f" "$W/out/nocache/$f" || echo "$f"
	done | head -3)
	check_eq "a tinyconfig kernel built with kbx's cache and by Kbuild alone: all $n .cmd files the same" \
		"" "$diffs$([ "$n" -gt 500 ] || echo "only $n .cmd files")"
	mkdir -p "$T/src2"
	cp -al "$SRC/." "$T/src2/"
	sed 's/^try-run = \$(shell set -e;/try-run = $(shell set -e; : edited;/' "$SRC/scripts/Makefile.compiler" > "$T/mc"
	rm "$T/src2/scripts/Makefile.compiler" && cp "$T/mc" "$T/src2/scripts/Makefile.compiler"
	out=$($M -s -C "$W" kernel-config KERNEL_SRC="$T/src2" KERNEL_OUT="$T/o2" 2>&1)
	check_contains "a tree whose try-run has another shape: Kbuild probes as it always does, with a warning" \
		"scripts/Makefile.compiler: its try-run is not the one kbx knows; Kbuild's probes run uncached" "$out"
	check_eq "... and configures the same" "same" \
		"$(cmp -s "$T/o2/.config" "$W/out/kernel/.config" && echo same)"
else
	skip "kernel flags with and without the cache" "no kbuild suite tree"
fi

summary kbuildcache
