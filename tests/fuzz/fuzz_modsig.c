/* libFuzzer: module signature trailers and their PKCS#7 (libcrypto), and
 * the module in front of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char magic[] = "~Module signature appended~\n";
	unsigned char *buf = malloc(size + sizeof(magic));
	struct kbx_modsig sig;
	struct kbx_err err;

	if (!buf)
		return 0;
	/* always a trailer, so the signature parser is what runs */
	memcpy(buf, data, size);
	memcpy(buf + size, magic, sizeof(magic) - 1);
	if (kbx_modsig_read("fuzz", buf, size + sizeof(magic) - 1, &sig,
			    &err) == 0) {
		struct kbx_ko *ko =
			kbx_ko_parse("fuzz", buf, sig.elf_len, &err);

		kbx_ko_free(ko);
	}
	free(buf);
	return 0;
}
