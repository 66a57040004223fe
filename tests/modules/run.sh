#!/bin/sh
# mk/module.mk against real kernels: Debian's linux-headers-amd64 (a real
# Module.symvers) and the arm64 tinyconfig+modules tree the kbuild suite
# built. The samples build and pass; each broken module is caught with the
# words a module author needs, and where modpost sees the same fault, both
# name the same symbol.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/cache/ccache}

KDEB=
for d in /usr/src/linux-headers-*-amd64; do
	[ -f "$d/Module.symvers" ] && KDEB=$d
done
if [ -z "$KDEB" ]; then
	skip "module.mk suite" "no linux-headers-amd64"
	summary modules
	exit
fi
REL=$("$KBX" release "$KDEB")
A64=$BUILD/kbuild-test/out/mod

# The samples as they sit in the tree (their Makefiles include
# ../../mk/module.mk), copied so the tree stays clean.
mkdir -p "$T/samples"
ln -s "$TOP/mk" "$T/mk"
ln -s "$TOP/plugin" "$T/plugin"
cp -r "$TOP/samples/hello-module" "$TOP/samples/chained-modules" "$T/samples/"
H=$T/samples/hello-module
C=$T/samples/chained-modules
M="make --no-print-directory"

# a module of one .c file in $T/NAME, with the classic one-Makefile pattern
module() { # NAME LICENSE BODY...
	mkdir -p "$T/$1"
	printf 'obj-m := %s.o\ninclude %s/mk/module.mk\n' "$1" "$TOP" > "$T/$1/Makefile"
	{
		echo '#include <linux/module.h>'
		echo "$3"
		echo "MODULE_LICENSE(\"$2\");"
	} > "$T/$1/$1.c"
}

# ---- the samples ---------------------------------------------------------------
out=$($M -C "$H" modules KDIR="$KDEB" 2>&1)
check_eq "samples/hello-module (one Makefile): make modules builds and passes modules-check" "0" "$?"
check_contains "... in Kbuild's quiet style" "  CHECK   hello.ko" "$out"
check_eq "... its vermagic is the headers' release, as modinfo reads it" "$REL" \
	"$(modinfo -F vermagic "$H/hello.ko" | cut -d' ' -f1)"
info=$($M -s -C "$H" modules-info KDIR="$KDEB" 2>&1)
check_eq "modules-info: name, vermagic, license, depends, signed, size (stat's)" \
	"hello.ko $(modinfo -F vermagic "$H/hello.ko" | tr -s ' ' | sed 's/ $//') GPL - no $(stat -c %s "$H/hello.ko")" \
	"$(echo "$info" | sed -n 2p | tr -s ' ')"

mkdir -p "$T/kbuildfile"
cp "$H/hello.c" "$T/kbuildfile/"
echo 'obj-m := hello.o' > "$T/kbuildfile/Kbuild"
echo "include $TOP/mk/module.mk" > "$T/kbuildfile/Makefile"
$M -s -C "$T/kbuildfile" modules KDIR="$KDEB" > /dev/null 2>&1
check_eq "a separate Kbuild file with a Makefile that only includes module.mk" "ko" \
	"$("$KBX" identify "$T/kbuildfile/hello.ko")"

out=$($M -C "$C/consumer" modules KDIR="$KDEB" 2>&1)
check_eq "samples/chained-modules: the consumer builds, its MODULE_DEPS provider first" \
	"0|provider consumer" \
	"$?|$(echo "$out" | sed -n 's/^  KBUILD  \([a-z]*\) against.*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
check_eq "... modpost resolved the provider's export: depends=provider (modinfo), nothing unresolved (kbx)" \
	"provider|" \
	"$(modinfo -F depends "$C/consumer/consumer.ko")|$("$KBX" ko-unresolved "$C/consumer/consumer.ko" "$KDEB/Module.symvers" "$C/provider/Module.symvers")"

mkdir -p "$T/cyc/a" "$T/cyc/b"
for x in a b; do
	y=$([ $x = a ] && echo b || echo a)
	printf 'obj-m := %s.o\nMODULE_DEPS := ../%s\ninclude %s/mk/module.mk\n' $x $y "$TOP" > "$T/cyc/$x/Makefile"
done
out=$($M -C "$T/cyc/a" modules KDIR="$KDEB" 2>&1)
check_contains "a MODULE_DEPS cycle is an error naming the cycle" \
	"MODULE_DEPS cycle: $T/cyc/a -> $T/cyc/b -> $T/cyc/a" "$out"

# ---- faults, each caught and explained -------------------------------------------
module unexported GPL 'int kbx_nobody_exports_this(void);
static int __init t_init(void) { return kbx_nobody_exports_this(); }
module_init(t_init);'
out=$($M -C "$T/unexported" modules KDIR="$KDEB" 2>&1)
check_eq "a call nobody exports: make modules fails" "2" "$?"
check_contains "... modpost names it" '"kbx_nobody_exports_this" [' "$out"
check_contains "... and modules-check says what to do" \
	'needs "kbx_nobody_exports_this", which nothing given exports (add the providing module'"'"'s Module.symvers, e.g. through MODULE_DEPS' "$out"

# modpost stops a GPL-incompatible build itself; a binary module (its
# licence changed after the build, as a vendor's would come) reaches the check.
module gplonly GPL '#include <linux/ktime.h>
static int __init t_init(void) { return (int)ktime_get(); }
module_init(t_init);'
$M -s -C "$T/gplonly" modules KDIR="$KDEB" > /dev/null 2>&1
perl -pi -e 's/license=GPL\0/license=MIT\0/' "$T/gplonly/gplonly.ko"
out=$($M -C "$T/gplonly" modules-check KDIR="$KDEB" 2>&1)
check_contains "a non-GPL module using a GPL-only export: modules-check names symbol, exporter, licence" \
	'uses GPL-only symbol "ktime_get" (exported by vmlinux) but its MODULE_LICENSE is "MIT", which is not GPL-compatible' "$out"
cp -r "$T/gplonly" "$T/gplonly2"
sed -i 's/gplonly/gplonly2/; s/"GPL"/"MIT"/' "$T/gplonly2/Makefile" "$T/gplonly2/gplonly.c"
mv "$T/gplonly2/gplonly.c" "$T/gplonly2/gplonly2.c"
rm -f "$T/gplonly2/"*.ko "$T/gplonly2/"*.o
out=$($M -C "$T/gplonly2" modules KDIR="$KDEB" 2>&1)
check_contains "... modpost agrees on the same source built as MIT" \
	"GPL-incompatible module gplonly2.ko uses GPL-only symbol 'ktime_get'" "$out"

module nsmissing GPL '#include <crypto/internal/cipher.h>
static int __init t_init(void) { return crypto_cipher_setkey(NULL, NULL, 0); }
module_init(t_init);'
out=$($M -C "$T/nsmissing" modules KDIR="$KDEB" CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=y 2>&1)
check_contains "a namespaced symbol without MODULE_IMPORT_NS: modpost's words" \
	"uses symbol crypto_cipher_setkey from namespace CRYPTO_INTERNAL, but does not import it" "$out"
check_contains "... and modules-check's, with the fix" \
	'uses "crypto_cipher_setkey" from namespace CRYPTO_INTERNAL without importing it (add MODULE_IMPORT_NS(CRYPTO_INTERNAL))' "$out"

out=$($M -C "$H" modules-check KDIR=/nonexistent/build 2>&1)
check_contains "a missing KDIR names the headers package to install" \
	"KDIR=/nonexistent/build: no such directory: install the headers of the kernel to build for (Debian: apt-get install linux-headers-" "$out"

# ---- signing with sign-file, a key made now ----------------------------------------
openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kbx test signer/" \
	-keyout "$T/key.pem" -out "$T/cert.pem" > /dev/null 2>&1
out=$($M -C "$H" modules KDIR="$KDEB" MODULE_SIG_KEY="$T/key.pem" MODULE_SIG_CERT="$T/cert.pem" 2>&1)
check_eq "MODULE_SIG_KEY: signed with KDIR's sign-file; modinfo reads the signer" "0 kbx test signer" \
	"$? $(modinfo -F signer "$H/hello.ko")"
check_contains "... and modules-info shows it" "yes (kbx test signer)" \
	"$($M -s -C "$H" modules-info KDIR="$KDEB" 2>&1)"
size1=$(stat -c %s "$H/hello.ko")
$M -s -C "$H" modules KDIR="$KDEB" MODULE_SIG_KEY="$T/key.pem" MODULE_SIG_CERT="$T/cert.pem" > /dev/null 2>&1
check_eq "... once: a second make modules leaves the signed module as it is" "$size1" "$(stat -c %s "$H/hello.ko")"

# ---- modules-install into a staging tree -------------------------------------------
out=$($M -C "$C/consumer" modules-install KDIR="$KDEB" INSTALL_MOD_PATH="$T/stage" 2>&1)
check_eq "modules-install: into INSTALL_MOD_PATH/lib/modules/REL/extra, depmod's modules.dep" \
	"extra/consumer.ko:" "$(grep '^extra/consumer' "$T/stage/lib/modules/$REL/modules.dep")"
check_eq "... modinfo finds the installed module there" "$T/stage/lib/modules/$REL/extra/consumer.ko" \
	"$(modinfo -b "$T/stage" -k "$REL" -F filename consumer 2>&1)"

# ---- another kernel: vermagic, ARCH, KDIRS ------------------------------------------
if [ -f "$A64/Module.symvers" ]; then
	A64REL=$("$KBX" release "$A64")
	$M -s -C "$H" modules-clean KDIR="$KDEB" > /dev/null 2>&1
	out=$($M -C "$H" modules KDIR="$A64" 2>&1)
	check_eq "a cross KDIR (arm64 build tree): ARCH and CROSS_COMPILE come from its .config" \
		"0 [arm64] aarch64" "$? $(echo "$out" | grep -o '\[arm64\]') $(file -b "$H/hello.ko" | grep -o aarch64)"
	out=$($M -C "$H" modules-check KDIR="$KDEB" 2>&1)
	check_contains "a module built against other headers: vermagic named, with the fix" \
		"vermagic \"$A64REL SMP aarch64\" is for kernel $A64REL, not $REL (rebuild it against that kernel's headers)" "$out"
	check_contains "... and its architecture" "wrong architecture: arm64 ko, wanted x86" "$out"
	out=$($M -C "$H" modules-install KDIR="$A64" INSTALL_MOD_PATH=/ 2>&1)
	check_contains "modules-install refuses INSTALL_MOD_PATH=/ for cross-built modules, before building" \
		"refusing INSTALL_MOD_PATH='/' for arm64 modules on this x86 host" "$out"

	out=$($M -C "$C/consumer" modules KDIRS="$KDEB $A64" 2>&1)
	check_eq "KDIRS: the chained modules against both kernels, a result line each" \
		"0|$KDEB: ok|$A64: ok" \
		"$?|$(echo "$out" | sed -n 's/^  RESULT  //p' | tr '\n' '|' | sed 's/|$//')"
	check_eq "... each in its own dir, for its own ARCH and release" \
		"x86_64 $REL aarch64 $A64REL" \
		"$(for r in $REL $A64REL; do
			printf '%s %s ' "$(file -b "$C/consumer/.kbx/$r/consumer.ko" | sed -n 's/.*\(x86-64\|aarch64\).*/\1/p' | tr - _)" \
				"$("$KBX" release "$C/consumer/.kbx/$r/consumer.ko")"
		done | sed 's/ $//')"
else
	skip "cross KDIR, vermagic mismatch, KDIRS" "no arm64 modules tree: run the kbuild suite first"
fi

summary modules
