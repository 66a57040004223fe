#!/bin/sh
# kbx against the real tools on the same input: nm and awk for symbol maps,
# modpost, modinfo and depmod -e -E for modules built against Debian's
# headers, and check-modules over Debian's own 6.1 module tree.
. "$(dirname "$0")/../lib.sh"
F=$BUILD/fixtures
M=$F/modules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# The symbols mksysmap keeps, as System.map lists them (nm -n order).
to_system_map() {
	nm -n "$1" | awk 'NF == 3 && $2 !~ /^[aNUw]$/ && $3 !~ /^(\$|\.L|__crc_|__kstrtab_|__kstrtabns_)/'
}

# All answers of one make run: "name address" for every symbol and
# "address+1 symbol+off/size" for every address, through the real kbx.so.
kbx_answers() { # MAP NAMES ADDRS
	cat > "$T/answers.mk" <<MK
load $KBX_SO
names := \$(file <$2)
addrs := \$(file <$3)
\$(foreach n,\$(names),\$(info \$(n) \$(kbx-sym $1,\$(n))))
\$(foreach a,\$(addrs),\$(info \$(a) \$(kbx-addr2sym $1,\$(a))))
all: ;
MK
	make -s -f "$T/answers.mk"
}

# What kallsyms' rules give, computed by awk over the same map: the first
# alias at the highest address <= A, size to the next higher address.
awk_answers() { # MAP NAMES ADDRS
	awk -v names="$2" -v addrs="$3" '
	function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }
	{ if (!($3 in first)) first[$3] = $1
	  a = hex($1); if (!(a in at)) { at[a] = $3; order[++n] = a } }
	END {
		while ((getline w < names) > 0) { split(w, ws, " "); for (i in ws) print ws[i], first[ws[i]] }
		while ((getline w < addrs) > 0) { split(w, ws, " ")
			for (k = 1; k in ws; k++) { q = hex(ws[k]); ans = ""
				for (j = n; j >= 1; j--) if (order[j] <= q) break
				if (j >= 1 && j < n) ans = sprintf("%s+0x%x/0x%x", at[order[j]], q - order[j], order[j + 1] - order[j])
				print ws[k], ans } } }' "$1" | sed 's/ $//'
}

compare_map() { # LABEL MAP
	label=$1 map=$2
	awk '{print $3}' "$map" | sort -u | tr '\n' ' ' > "$T/names"
	# one address inside each symbol (1 byte in when the symbol has room)
	awk '{print $1}' "$map" | uniq | awk '
		function hex(s, i, c, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c } return v }
		{ a[NR] = hex($1) } END { for (i = 1; i <= NR; i++) { q = a[i]; if (i < NR && a[i + 1] > q + 1) q++; printf "0x%x ", q } }' > "$T/addrs"
	kbx_answers "$map" "$T/names" "$T/addrs" | sed 's/ $//' | sort > "$T/kbx.out"
	awk_answers "$map" "$T/names" "$T/addrs" | sort > "$T/awk.out"
	n=$(wc -l < "$T/awk.out")
	if [ "$n" -gt 2 ] && cmp -s "$T/kbx.out" "$T/awk.out"; then
		pass "$label: kbx-sym and kbx-addr2sym agree with nm/awk on all $n lookups"
	else
		fail "$label: kbx differs from nm/awk" "$(diff "$T/awk.out" "$T/kbx.out" | head -5)"
	fi
}

# ---- maps from real ELF files (nm -n) and the ELF files themselves --------
for f in host.elf arm32.elf le64.o le32.o be64.o be32.o; do
	[ -s "$F/$f" ] || { skip "System.map of $f" "fixture not built"; continue; }
	to_system_map "$F/$f" > "$T/$f.map"
	compare_map "System.map from nm -n $f" "$T/$f.map"
	# the ELF read directly gives the addresses nm gives
	want=$(nm "$F/$f" | awk '$3 == "kbx_fixture_func" {print $1}')
	got=$($KBX sym "$F/$f" kbx_fixture_func)
	check_eq "kbx-sym on ELF $f equals nm ($(file -b "$F/$f" | cut -d, -f1-2))" "$want" "$got"
done
to_system_map "$KBX_SO" > "$T/kbxso.map"
compare_map "System.map from nm -n kbx.so" "$T/kbxso.map"
if [ -s "$M/provider/kbx_provider.ko" ]; then
	to_system_map "$M/provider/kbx_provider.ko" > "$T/ko.map"
	compare_map "System.map from nm -n of a real module" "$T/ko.map"
fi

# ---- /proc/kallsyms, when this machine lets us read addresses ----------
if [ -r /proc/kallsyms ] && head -1000 /proc/kallsyms | awk '$1 !~ /^0+$/ {found = 1} END {exit !found}'; then
	# a sample: kallsyms is large and not sorted where modules load
	awk 'NR % 97 == 1' /proc/kallsyms > "$T/kallsyms"
	compare_map "/proc/kallsyms sample with [module] column" "$T/kallsyms"
else
	skip "/proc/kallsyms" "addresses hidden on this machine (kptr_restrict)"
fi

# ---- modules built against Debian's headers ---------------------------------
KDIR=$(cat "$F/kdir" 2>/dev/null)
SV=$KDIR/Module.symvers
if [ ! -s "$M/consumer/kbx_consumer.ko" ]; then
	skip "modules" "module fixtures not built (linux-headers-amd64 missing)"
	summary real
	exit $?
fi
PROV=$M/provider/Module.symvers
V2=$M/provider_v2/Module.symvers

for ko in provider/kbx_provider consumer/kbx_consumer bad_undef/kbx_bad_undef bad_gpl/kbx_bad_gpl bad_ns/kbx_bad_ns; do
	want=$(nm -u "$M/$ko.ko" | awk '{print $2}' | grep -vx '__this_module' | sort | tr '\n' ' ' | sed 's/ $//')
	check_eq "kbx-ko-undefined $ko.ko equals nm -u" "$want" "$($KBX ko-undefined "$M/$ko.ko")"
done
want=$(nm "$M/provider/kbx_provider.ko" | awk '$3 ~ /^__ksymtab_/ {sub(/^__ksymtab_/, "", $3); print $3}' | sort | tr '\n' ' ' | sed 's/ $//')
check_eq "kbx-ko-exports equals the module's __ksymtab_ symbols" "$want" "$($KBX ko-exports "$M/provider/kbx_provider.ko")"

check_eq "consumer built by modpost with the provider's symvers: nothing unresolved" \
	"" "$($KBX ko-unresolved "$M/consumer/kbx_consumer.ko" "$SV" "$PROV")"
check_eq "consumer without the provider's symvers: its three imports are unexported" \
	"kbx_provider_gpl kbx_provider_hello kbx_provider_ns" \
	"$($KBX ko-unresolved "$M/consumer/kbx_consumer.ko" "$SV")"

# modpost's verdict, reduced to kbx's words
modpost_words() {
	sed -n -e 's/.*modpost: "\([^"]*\)" .* undefined!.*/\1/p' \
		-e "s/.*uses GPL-only symbol '\\([^']*\\)'.*/\\1:gpl-only/p" \
		-e 's/.*uses symbol \([^ ]*\) from namespace \([^,]*\), but does not import it.*/\1:ns=\2/p' "$1"
}
for bad in bad_undef bad_gpl bad_ns; do
	want=$(modpost_words "$M/$bad.modpost")
	got=$($KBX ko-unresolved "$M/$bad/kbx_$bad.ko" "$SV")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		pass "kbx-ko-unresolved $bad agrees with modpost: $got"
	else
		fail "kbx-ko-unresolved $bad agrees with modpost" "modpost: $want" "kbx:     $got"
	fi
done
check_eq "bad_gpl's licence as modinfo reads it" "MIT" "$(modinfo -F license "$M/bad_gpl/kbx_bad_gpl.ko")"

# CRC: the consumer against the provider's next version, and depmod's view
check_eq "consumer against provider v2: the changed prototype's CRC differs" \
	"kbx_provider_gpl kbx_provider_hello:crc kbx_provider_ns" \
	"$($KBX ko-unresolved "$M/consumer/kbx_consumer.ko" "$SV" "$V2")"

REL=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
depmod_findings() { # ROOT : "module symbol kind" lines
	depmod -b "$1" -n -e -E "$SV" "$REL" 2>&1 >/dev/null |
		sed -n -e 's|.*/\([^/]*\)\.ko needs unknown symbol \(.*\)|\1 \2 unexported|p' \
			-e 's|.*/\([^/]*\)\.ko disagrees about version of symbol \(.*\)|\1 \2 crc|p' | sort
}
kbx_findings() { # DIR...
	$KBX check-modules -j2 --symvers "$SV" "$@" |
		sed -n -e 's|.*/\([^/]*\)\.ko: needs "\([^"]*\)".*|\1 \2 unexported|p' \
			-e 's|.*/\([^/]*\)\.ko: disagrees about the version of "\([^"]*\)".*|\1 \2 crc|p' | sort
}
R=$T/root/lib/modules/$REL
mkdir -p "$R/extra"
cp "$M/consumer/kbx_consumer.ko" "$M/provider_v2/kbx_provider.ko" "$M/bad_undef/kbx_bad_undef.ko" "$R/extra/"
touch "$R/modules.builtin" "$R/modules.order"
want=$(depmod_findings "$T/root")
got=$(kbx_findings "$R")
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	pass "check-modules agrees with depmod -e -E on a staged tree ($(echo "$want" | wc -l) findings)"
else
	fail "check-modules agrees with depmod -e -E on a staged tree" "depmod: $want" "kbx:    $got"
fi
out=$($KBX check-modules --symvers "$SV" --release 9.9.9 "$M/provider/kbx_provider.ko")
rc=$?
check_contains "check-modules --release names the vermagic mismatch" "is for kernel $REL, not 9.9.9" "$out"
check_eq "check-modules exits 1 on problems" 1 "$rc"
out=$($KBX check-modules --symvers "$SV" "$PROV" --release "$REL" "$M/provider" "$M/consumer")
check_eq "check-modules on clean modules: exit 0 and the summary line" \
	"0 kbx check-modules: 2 modules, 0 with problems, 0 problems" "$? $out"

# ---- Debian's own module tree: 4000 real modules --------------------------
DEB=$BUILD/debian-modules
if [ -d "$DEB/lib/modules/$REL" ]; then
	D=$DEB/lib/modules/$REL
	mkdir -p "$D/extra"
	cp "$M/consumer/kbx_consumer.ko" "$M/provider_v2/kbx_provider.ko" "$M/bad_undef/kbx_bad_undef.ko" "$D/extra/"
	want=$(depmod_findings "$DEB")
	got=$(kbx_findings "$D")
	n=$(find "$D" -name '*.ko' | wc -l)
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		pass "check-modules -j2 agrees with depmod -e -E over $n Debian modules plus 3 of ours"
	else
		fail "check-modules agrees with depmod over Debian's tree" "depmod: $want" "kbx:    $got"
	fi
	rm -rf "$D/extra"
else
	skip "Debian module tree" "tests/fixtures.sh could not apt-get download linux-image-$REL"
fi

summary real
