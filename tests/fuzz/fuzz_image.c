/* libFuzzer: arm64 Image headers and their EFI stub PE header. */
#define FUZZ_MAGIC_OFF 0x38
#define FUZZ_MAGIC "ARM\x64"
#define FUZZ_MIN 64
#define FUZZ_ARCH "arm64"
#include "fuzz_artifact.h"
