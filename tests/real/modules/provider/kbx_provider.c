// SPDX-License-Identifier: GPL-2.0
/* Test fixture: exports one symbol of each kind for other modules. */
#include <linux/module.h>

int kbx_provider_hello(int x)
{
	return x + 1;
}
EXPORT_SYMBOL(kbx_provider_hello);

int kbx_provider_gpl(int x)
{
	return x + 2;
}
EXPORT_SYMBOL_GPL(kbx_provider_gpl);

int kbx_provider_ns(int x)
{
	return x + 3;
}
EXPORT_SYMBOL_NS(kbx_provider_ns, KBX_TEST);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbx test provider");
