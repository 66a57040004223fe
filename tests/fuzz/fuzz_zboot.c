/* libFuzzer: EFI zboot wrappers (vmlinuz.efi) and their payloads. */
#define FUZZ_MAGIC_OFF 0
#define FUZZ_MAGIC "MZ\0\0zimg"
#define FUZZ_MIN 64
#define FUZZ_ARCH "arm64"
#include "fuzz_artifact.h"
