// SPDX-License-Identifier: GPL-2.0
/* A module that exports a function for another out-of-tree module. */
#include <linux/module.h>
#include "provider.h"

int kbx_provider_answer(void)
{
	return 42;
}
EXPORT_SYMBOL_GPL(kbx_provider_answer);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbx sample: exports kbx_provider_answer");
