#!/bin/sh
# The tree stays clean under cppcheck and clang-format (.clang-format).
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
SRCS="plugin/*.c plugin/*.h tests/unit/*.c tests/fuzz/*.c tests/fuzz/*.h tests/bench/*.c"

if command -v cppcheck > /dev/null; then
	# shellcheck disable=SC2086
	out=$(cppcheck --quiet --enable=warning,performance,portability \
		--inline-suppr --std=c11 -D_GNU_SOURCE -I plugin $SRCS 2>&1)
	check_eq "cppcheck (warning, performance, portability) finds nothing" "" "$out"
else
	skip "cppcheck" "not installed"
fi
if command -v clang-format > /dev/null; then
	# shellcheck disable=SC2086
	out=$(clang-format --dry-run --Werror $SRCS 2>&1 | grep -m5 'error:')
	check_eq "clang-format leaves every C file as it is" "" "$out"
else
	skip "clang-format" "not installed"
fi
summary lint
