/* libFuzzer: ARM zImage headers, KLSZ tables and payload candidates. */
#define FUZZ_MAGIC_OFF 0x24
#define FUZZ_MAGIC "\x18\x28\x6f\x01"
#define FUZZ_MIN 0x40
#define FUZZ_ARCH "arm"
#include "fuzz_artifact.h"
