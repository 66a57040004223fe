// SPDX-License-Identifier: GPL-2.0
/* Test fixture: uses all three of the provider's exports. */
#include <linux/module.h>

int kbx_provider_hello(int x);
int kbx_provider_gpl(int x);
int kbx_provider_ns(int x);

static int __init kbx_consumer_init(void)
{
	return kbx_provider_hello(0) + kbx_provider_gpl(0) +
	       kbx_provider_ns(0) - 6;
}
module_init(kbx_consumer_init);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(KBX_TEST);
