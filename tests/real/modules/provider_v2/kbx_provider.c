// SPDX-License-Identifier: GPL-2.0
/* Test fixture: the provider's next version, whose hello() changed its
 * prototype, so its CRC differs from what consumers were built against. */
#include <linux/module.h>

long kbx_provider_hello(long x, long y)
{
	return x + y;
}
EXPORT_SYMBOL(kbx_provider_hello);

MODULE_LICENSE("GPL");
