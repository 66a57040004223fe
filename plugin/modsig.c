/* Module signatures (include/linux/module_signature.h): the trailer that
 * scripts/sign-file appends, and the signer read from its PKCS#7 by
 * OpenSSL's libcrypto, as kmod's modinfo reports it. */
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "kbx.h"

#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)
#define SIG_INFO_LEN 12 /* struct module_signature */
#define PKEY_ID_PKCS7 2

static void copy_name_cn(X509_NAME *name, char *buf, size_t size)
{
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	const ASN1_STRING *s;
	int n;

	buf[0] = '\0';
	if (i < 0)
		return;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	n = ASN1_STRING_length(s);
	if (n < 0 || (size_t)n >= size)
		n = (int)size - 1;
	memcpy(buf, ASN1_STRING_get0_data(s), (size_t)n);
	buf[n] = '\0';
}

/* modinfo's sig_key: the serial's bytes as XX:XX:... */
static void copy_serial(const ASN1_INTEGER *serial, char *buf, size_t size)
{
	const unsigned char *p = ASN1_STRING_get0_data(serial);
	int n = ASN1_STRING_length(serial), i;
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used + 4 < size; i++)
		used += (size_t)snprintf(buf + used, size - used,
					 i ? ":%02X" : "%02X", p[i]);
}

static int read_pkcs7(const char *path, const unsigned char *der, size_t len,
		      struct kbx_modsig *sig, struct kbx_err *err)
{
	const unsigned char *p = der;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	STACK_OF(PKCS7_SIGNER_INFO) * infos;
	PKCS7_SIGNER_INFO *si;
	X509_ALGOR *dig = NULL;
	int rc = -1;

	if (!p7)
		return kbx_fail(err, path,
				"module signature: the PKCS#7 blob (%zu bytes) "
				"does not parse",
				len);
	infos = PKCS7_type_is_signed(p7) ? PKCS7_get_signer_info(p7) : NULL;
	si = infos && sk_PKCS7_SIGNER_INFO_num(infos) > 0
		     ? sk_PKCS7_SIGNER_INFO_value(infos, 0)
		     : NULL;
	if (!si || !si->issuer_and_serial) {
		kbx_fail(err, path, "module signature: PKCS#7 has no signer");
		goto out;
	}
	copy_name_cn(si->issuer_and_serial->issuer, sig->signer,
		     sizeof(sig->signer));
	copy_serial(si->issuer_and_serial->serial, sig->key, sizeof(sig->key));
	PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig, NULL);
	if (dig)
		snprintf(sig->hashalgo, sizeof(sig->hashalgo), "%s",
			 OBJ_nid2sn(OBJ_obj2nid(dig->algorithm)));
	/* kmod prints the lower-case short names: sha256, sha512, ... */
	for (char *c = sig->hashalgo; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	rc = 0;
out:
	PKCS7_free(p7);
	return rc;
}

int kbx_modsig_read(const char *path, const unsigned char *data, size_t len,
		    struct kbx_modsig *sig, struct kbx_err *err)
{
	const unsigned char *info;
	uint32_t sig_len;
	size_t body;

	memset(sig, 0, sizeof(*sig));
	sig->elf_len = len;
	if (len < SIG_MAGIC_LEN ||
	    memcmp(data + len - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN) != 0)
		return 0;
	if (len < SIG_MAGIC_LEN + SIG_INFO_LEN)
		return kbx_fail(err, path,
				"module signature trailer without its "
				"signature header: truncated");
	info = data + len - SIG_MAGIC_LEN - SIG_INFO_LEN;
	sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 |
		  (uint32_t)info[10] << 8 | info[11];
	body = len - SIG_MAGIC_LEN - SIG_INFO_LEN;
	if (info[2] != PKEY_ID_PKCS7)
		return kbx_fail(err, path,
				"module signature of id type %u, not PKCS#7",
				info[2]);
	if (sig_len == 0 || sig_len > body)
		return kbx_fail(err, path,
				"module signature length %u is beyond the file "
				"(%zu bytes before the trailer)",
				sig_len, body);
	sig->signed_ = 1;
	sig->elf_len = body - sig_len;
	return read_pkcs7(path, data + sig->elf_len, sig_len, sig, err);
}
