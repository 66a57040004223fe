#!/bin/sh
# Boots a kernel image in QEMU with a serial console until its banner
# appears, then stops QEMU and compares the banner's release with the
# expected one (kbx-release of the image).
# usage: mk/boot-test.sh ARCH IMAGE RELEASE LOG [TIMEOUT]
set -u
arch=$1 image=$2 want=$3 log=$4 timeout=${5:-60}
case $arch in
arm64) qemu="qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256"
	append="earlycon=pl011,0x9000000 console=ttyAMA0" ;;
arm) qemu="qemu-system-arm -M virt -m 256"
	append="earlycon=pl011,0x9000000 console=ttyAMA0" ;;
x86|x86_64) qemu="qemu-system-x86_64 -m 256"
	append="earlyprintk=serial,ttyS0 console=ttyS0" ;;
riscv) qemu="qemu-system-riscv64 -M virt -m 256"
	append="earlycon=sbi console=ttyS0" ;;
*) echo "kbx: kernel-boot-test: no QEMU machine for ARCH=$arch" >&2; exit 1 ;;
esac
bin=${qemu%% *}
if ! command -v "$bin" > /dev/null 2>&1; then
	echo "kbx: kernel-boot-test: $bin not found (apt-get install qemu-system-arm / qemu-system-x86)" >&2
	exit 1
fi
: > "$log"
# shellcheck disable=SC2086
$qemu -nographic -no-reboot -kernel "$image" -append "$append panic=-1" \
	-serial "file:$log" -monitor none -display none > /dev/null 2>&1 &
pid=$!
t=0
got=
while [ "$t" -lt $((timeout * 10)) ]; do
	got=$(sed -n 's/.*Linux version \([^ ]*\) (.*/\1/p' "$log" | head -1)
	[ -n "$got" ] && break
	kill -0 "$pid" 2> /dev/null || break
	sleep 0.1
	t=$((t + 1))
done
kill "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
if [ -z "$got" ]; then
	echo "kbx: kernel-boot-test: no 'Linux version' banner on the serial console within ${timeout}s (log: $log); does the .config have PRINTK, TTY and the board's serial console (see samples/qemu-arm64.cfg)?" >&2
	exit 1
fi
if [ "$got" != "$want" ]; then
	echo "kbx: kernel-boot-test: the booted kernel says $got, the image's release is $want" >&2
	exit 1
fi
echo "  BOOTED  $image: Linux version $got"
