/* libFuzzer: kernel modules (.ko ELF), checked against a small symvers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *ctx, const struct kbx_problem *p)
{
	kbx_problem_word(p, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char symvers[] = "0x12345678\tprintk\tvmlinux\tEXPORT_"
				      "SYMBOL\t\n"
				      "0x9abcdef0\tgpl_fn\tvmlinux\tEXPORT_"
				      "SYMBOL_GPL\tNS\n";
	struct kbx_err err;
	struct kbx_symvers *sv;
	struct kbx_out out;
	struct kbx_ko *ko;

	ko = kbx_ko_parse("fuzz.ko", data, size, &err);
	if (!ko)
		return 0;
	sv = kbx_symvers_parse("sv", (const unsigned char *)symvers,
			       strlen(symvers), &err);
	kbx_out_init(&out);
	kbx_ko_modinfo(ko, "license", &out);
	if (sv)
		kbx_ko_check_imports(ko, &sv, 1, count, &out);
	kbx_out_free(&out);
	kbx_symvers_free(sv);
	kbx_ko_free(ko);
	return 0;
}
