/* libFuzzer: symbol maps, text (System.map, kallsyms) and ELF, then
 * lookups over whatever index the input gave. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kbx_err err;
	struct kbx_symmap *m;
	struct kbx_out out;
	uint64_t addr = 0;

	m = kbx_symmap_parse("fuzz", data, size, &err);
	if (!m)
		return 0;
	kbx_out_init(&out);
	kbx_symmap_lookup(m, "start_kernel", &out);
	if (size >= 8)
		memcpy(&addr, data + size - 8, 8);
	kbx_symmap_addr2sym(m, addr, &out);
	kbx_symmap_addr2text(m, addr ^ 0xffffffff81000000ull, &out);
	kbx_out_free(&out);
	kbx_symmap_free(m);
	return 0;
}
