#!/bin/sh
# Runs each libFuzzer harness for SECONDS, seeded with the fixtures; a
# crash, leak or sanitizer report fails it and keeps the input.
# usage: tests/fuzz/run.sh SECONDS FUZZER...
. "$(dirname "$0")/../lib.sh"
secs=$1
shift
F=$BUILD/fixtures
K=$BUILD/kernels
TEXT="Linux version 6.1.0-kbx (u@h) (gcc) #1 SMP"

# Seeds made now with the real tools: one stream per compression (the first
# byte picks kbx's decoder: 0 gzip 1 xz 2 lzma 3 lzo 4 lz4 5 zstd) ...
payload_seeds() {
	i=0
	for tool in "gzip -9" "xz" "lzma" "lzop" "lz4 -l" "zstd"; do
		t=${tool%% *}
		if command -v "$t" > /dev/null; then
			{ printf "\\$(printf %03o $((i | 128)))"; printf '%s\n' "$TEXT" | $tool -c; } > "$1/seed-$t" 2> /dev/null
		fi
		i=$((i + 1))
	done
}
# ... uImages from mkimage, a FIT, and a signed module's tail
uimage_seeds() {
	command -v mkimage > /dev/null || return 0
	printf '%s\n' "$TEXT" | gzip -9 > "$1/p.gz"
	mkimage -A arm -O linux -T kernel -C gzip -n seed -d "$1/p.gz" "$1/seed-gzip" > /dev/null
	mkimage -A arm64 -O linux -T multi -C none -n multi -d "$1/p.gz:$1/p.gz" "$1/seed-multi" > /dev/null
	rm -f "$1/p.gz"
}
fit_seed() {
	command -v mkimage > /dev/null && command -v dtc > /dev/null || return 0
	printf '%s\n' "$TEXT" > "$1/k"
	printf '/dts-v1/;\n/ { description = "seed"; images { k { data = /incbin/("%s"); type = "kernel"; arch = "arm64"; os = "linux"; compression = "none"; load = <0>; hash-1 { algo = "crc32"; }; hash-2 { algo = "sha256"; }; }; }; configurations { default = "c"; c { kernel = "k"; }; }; };\n' "$1/k" > "$1/f.its"
	mkimage -f "$1/f.its" "$1/seed-fit" > /dev/null 2>&1
	rm -f "$1/k" "$1/f.its"
}
modsig_seed() {
	ko=$(find "$BUILD/debian-modules" -name '*.ko' -size -40k 2> /dev/null | head -1)
	[ -n "$ko" ] && head -c -28 "$ko" > "$1/seed-signed"
}
for fz in "$@"; do
	name=$(basename "$fz")
	corpus=$BUILD/fuzz-work/corpus-$name
	mkdir -p "$corpus" "$BUILD/fuzz-work/crashes"
	case $name in
	fuzz_symmap) seeds="$F/le32.o $F/be64.o $F/le64.o" ;;
	fuzz_ko) seeds="$F/modules/provider/kbx_provider.ko $F/modules/bad_ns/kbx_bad_ns.ko" ;;
	fuzz_symvers) seeds="$F/modules/provider/Module.symvers" ;;
	fuzz_zimage) seeds="$K/arm/zImage.xz $K/arm/zImage.lzo $K/arm/zImage.gzip" ;;
	fuzz_image) seeds="$K/arm64/Image" ;;
	fuzz_bzimage) seeds="$K/x86_64/bzImage" ;;
	fuzz_dtb) seeds="$K/arm64/vexpress.dtb $K/arm/vexpress.dtb" ;;
	*) seeds= ;;
	esac
	# (libFuzzer reads at most -max_len bytes of each: the headers)
	for s in $seeds; do [ -f "$s" ] && head -c 65536 "$s" > "$corpus/seed-$(basename "$s")"; done
	case $name in
	fuzz_payload) payload_seeds "$corpus" ;;
	fuzz_uimage) uimage_seeds "$corpus" ;;
	fuzz_dtb) fit_seed "$corpus" ;;
	fuzz_modsig) modsig_seed "$corpus" ;;
	fuzz_cache) printf 'kbx-probe 1\ncc-option\037gcc\037-O2\ny\n0000\n' > "$corpus/seed-entry" ;;
	fuzz_probe_tool) # a buffer size, then Kbuild 6.1's cc-option and as-instr
		printf '\200ccache gcc -Werror  -fno-PIE -c -x c /dev/null -o "$TMP"' > "$corpus/seed-cc-option"
		printf '\200printf "%%b\\n" "nop" | gcc -Werror -c -x assembler-with-cpp -o "$TMP" -' > "$corpus/seed-as-instr" ;;
	esac
	[ "$name" = fuzz_symmap ] && printf 'ffffffff81000000 T _stext\nffffffffc0001000 t f\t[m]\n' > "$corpus/seed-map"
	log=$BUILD/fuzz-work/$name.log
	if "$fz" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$BUILD/fuzz-work/crashes/$name-" "$corpus" > "$log" 2>&1; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
		pass "$name: ${runs:-?} inputs in ${secs}s, no crash, leak or UB"
	else
		fail "$name: see $log" "$(grep -m3 -E 'ERROR|runtime error|SUMMARY' "$log")"
	fi
done
summary fuzz
