#!/bin/sh
# Applies a patch series to a kernel tree, all or nothing. In a git work
# tree: one `git am` (aborted on failure). Otherwise patch -p1 --fuzz=0
# (as strict as git am: no silently fuzzy hunks), each patch
# dry-run first, the applied ones reverted when one fails. A directory
# holding a quilt `series` file stands for the patches it lists, in order.
# usage: mk/patch.sh SRCDIR PATCH|DIR...
set -u
src=$1
shift
list=
for p in "$@"; do
	if [ -d "$p" ] && [ -f "$p/series" ]; then
		for q in $(sed 's/#.*//' "$p/series"); do list="$list $(cd "$p" && pwd)/$q"; done
	else
		list="$list $(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
	fi
done
if git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1 &&
	[ "$(git -C "$src" rev-parse --show-toplevel)" = "$(cd "$src" && pwd)" ]; then
	# shellcheck disable=SC2086
	if ! out=$(git -C "$src" am -q $list 2>&1); then
		failed=$(echo "$out" | sed -n 's/^Patch failed at /: patch /p' | head -1)
		git -C "$src" am --abort
		echo "kbx: git am failed${failed}: the tree is as it was before the series" >&2
		exit 1
	fi
	exit 0
fi
applied=
for p in $list; do
	if ! patch -d "$src" -p1 -s -f --fuzz=0 --dry-run < "$p" > /dev/null 2>&1; then
		for a in $applied; do patch -d "$src" -p1 -s -f -R < "$a" > /dev/null; done
		echo "kbx: patch $p does not apply to $src (patch -p1): the tree is as it was before the series" >&2
		exit 1
	fi
	patch -d "$src" -p1 -s -f --fuzz=0 < "$p" > /dev/null || exit 1
	applied="$p $applied"
done
