/* libFuzzer: U-Boot legacy uImage headers, multi-file tables, payloads. */
#define FUZZ_MAGIC_OFF 0
#define FUZZ_MAGIC "\x27\x05\x19\x56"
#define FUZZ_MIN 64
#define FUZZ_ARCH "arm"
#include "fuzz_artifact.h"
