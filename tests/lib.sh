# Shared by the shell test suites: PASS/FAIL lines and a closing count.
# Each suite sources this, calls the checks, and ends with 'summary NAME'.
n_pass=0
n_fail=0
n_skip=0

pass() { n_pass=$((n_pass + 1)); echo "PASS: $1"; }
fail() {
	n_fail=$((n_fail + 1))
	echo "FAIL: $1"
	shift
	for line in "$@"; do printf '      %s\n' "$line"; done
}
skip() { n_skip=$((n_skip + 1)); echo "SKIP: $1 ($2)"; }

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
	case "$3" in
	*"$2"*) pass "$1" ;;
	*) fail "$1" "expected to contain: $2" "actual: $3" ;;
	esac
}

summary() {
	echo "$1: $n_pass passed, $n_fail failed, $n_skip skipped"
	[ "$n_fail" -eq 0 ]
}

# The tree under test and its build products.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
KBX=$TOP/plugin/kbx
KBX_SO=$TOP/plugin/kbx.so
BUILD=$TOP/build
export LC_ALL=C

# Debian's amd64 headers: the real Kbuild and Module.symvers the tests use.
find_kdir() {
	for d in /lib/modules/"$(uname -r)"/build /usr/src/linux-headers-*-amd64; do
		[ -f "$d/Module.symvers" ] && { echo "$d"; return 0; }
	done
	return 1
}
