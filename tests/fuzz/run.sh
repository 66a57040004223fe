#!/bin/sh
# Runs each libFuzzer harness for SECONDS, seeded with the fixtures; a
# crash, leak or sanitizer report fails it and keeps the input.
# usage: tests/fuzz/run.sh SECONDS FUZZER...
. "$(dirname "$0")/../lib.sh"
secs=$1
shift
F=$BUILD/fixtures
for fz in "$@"; do
	name=$(basename "$fz")
	corpus=$BUILD/fuzz-work/corpus-$name
	mkdir -p "$corpus" "$BUILD/fuzz-work/crashes"
	case $name in
	fuzz_symmap) seeds="$F/le32.o $F/be64.o $F/le64.o" ;;
	fuzz_ko) seeds="$F/modules/provider/kbx_provider.ko $F/modules/bad_ns/kbx_bad_ns.ko" ;;
	fuzz_symvers) seeds="$F/modules/provider/Module.symvers" ;;
	*) seeds= ;;
	esac
	for s in $seeds; do [ -f "$s" ] && cp "$s" "$corpus/seed-$(basename "$s")"; done
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
