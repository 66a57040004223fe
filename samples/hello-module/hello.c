// SPDX-License-Identifier: GPL-2.0
/* The smallest out-of-tree module: what `make demo` builds and checks. */
#include <linux/module.h>
#include <linux/printk.h>

static int __init hello_init(void)
{
	pr_info("hello from kbx's sample module\n");
	return 0;
}

static void __exit hello_exit(void)
{
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbx sample module");
