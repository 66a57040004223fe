/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBX_SAMPLE_PROVIDER_H
#define KBX_SAMPLE_PROVIDER_H

/* Exported by provider.ko (EXPORT_SYMBOL_GPL), used by consumer.ko. */
int kbx_provider_answer(void);

#endif
