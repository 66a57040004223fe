/* libFuzzer: x86 bzImage setup headers, payload fields and the CRC. */
#define FUZZ_MAGIC_OFF 0x1FE
#define FUZZ_MAGIC "\x55\xaa\xeb\x00HdrS"
#define FUZZ_MIN 0x210
#define FUZZ_ARCH "x86"
#include "fuzz_artifact.h"
