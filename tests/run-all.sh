#!/bin/sh
# Runs every suite and closes with the totals: "N passed, N failed".
# usage: tests/run-all.sh FUZZ_SECONDS
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run() { # NAME COMMAND...
	name=$1
	shift
	echo "==== $name"
	"$@" 2>&1 | tee -a "$log"
	st=$(tail -1 "$log" | grep -c "^$name: [0-9]* passed, 0 failed")
	[ "$st" = 1 ] || status=1
}

KBX_FIXTURES=$TOP/build/fixtures
export KBX_FIXTURES
run lint sh tests/lint/run.sh
run unit build/unit/check_kbx
run make sh tests/make/run.sh
run real sh tests/real/run.sh
run artifacts sh tests/artifacts/run.sh
run toolchain sh tests/toolchain/run.sh
run kbuild sh tests/kbuild/run.sh
run modules sh tests/modules/run.sh
run kbuildcache sh tests/kbuildcache/run.sh
run fuzz sh tests/fuzz/run.sh "${1:-10}" build/fuzz/fuzz_*

passed=$(sed -n 's/^[a-z]*: \([0-9]*\) passed, [0-9]* failed.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
failed=$(sed -n 's/^[a-z]*: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
skipped=$(grep -c '^SKIP:' "$log")
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
