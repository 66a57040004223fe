// SPDX-License-Identifier: MIT
/* Test fixture: a module whose licence is not GPL-compatible using a
 * GPL-only export. KBX_LICENSE is set by the test. */
#include <linux/module.h>
#include <linux/rcupdate.h>

static int __init kbx_bad_gpl_init(void)
{
	synchronize_rcu();
	return 0;
}
module_init(kbx_bad_gpl_init);

MODULE_LICENSE(KBX_LICENSE);
