/* libFuzzer: Module.symvers in any of its layouts. */
#include <stdint.h>
#include <stdlib.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kbx_err err;
	struct kbx_symvers *sv = kbx_symvers_parse("fuzz", data, size, &err);
	const struct kbx_symvers_entry *e;

	if (!sv)
		return 0;
	e = kbx_symvers_find(sv, "printk", 6);
	if (e)
		kbx_symvers_export_is_gpl(e);
	kbx_symvers_free(sv);
	return 0;
}
