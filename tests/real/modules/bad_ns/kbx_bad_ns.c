// SPDX-License-Identifier: GPL-2.0
/* Test fixture: uses a CRYPTO_INTERNAL symbol; the import is controlled by
 * the test (KBX_IMPORT_NS=1 adds it). */
#include <linux/module.h>
#include <crypto/algapi.h>
#include <crypto/internal/cipher.h>

static int __init kbx_bad_ns_init(void)
{
	return crypto_cipher_setkey(NULL, NULL, 0);
}
module_init(kbx_bad_ns_init);

MODULE_LICENSE("GPL");
#if KBX_IMPORT_NS
MODULE_IMPORT_NS(CRYPTO_INTERNAL);
#endif
