// SPDX-License-Identifier: GPL-2.0
/* Test fixture: calls a function that nobody exports. */
#include <linux/module.h>

int kbx_nobody_exports_this(void);

static int __init kbx_bad_undef_init(void)
{
	return kbx_nobody_exports_this();
}
module_init(kbx_bad_undef_init);

MODULE_LICENSE("GPL");
