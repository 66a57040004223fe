// SPDX-License-Identifier: GPL-2.0
/* A module that needs another out-of-tree module's export: modpost finds
 * it through KBUILD_EXTRA_SYMBOLS, which MODULE_DEPS fills in. */
#include <linux/module.h>
#include <linux/printk.h>
#include "provider.h"

static int __init consumer_init(void)
{
	pr_info("the provider says %d\n", kbx_provider_answer());
	return 0;
}

static void __exit consumer_exit(void)
{
}

module_init(consumer_init);
module_exit(consumer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbx sample: uses provider.ko's export");
