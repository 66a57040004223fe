/* libFuzzer: DTB and FIT blobs: header, blocks, structure, FIT images and
 * hashes, and property reads as fdtget prints them. */
#define FUZZ_MAGIC_OFF 0
#define FUZZ_MAGIC "\xd0\x0d\xfe\xed"
#define FUZZ_MIN 40
#define FUZZ_ARCH "arm64"
#include "fuzz_artifact.h"
