/* Error messages and the growable output buffer every function writes to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

int kbx_fail(struct kbx_err *err, const char *path, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if (!err)
		return -1;
	if (path && *path)
		n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s: ", path);
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return -1;
}

void kbx_out_init(struct kbx_out *out)
{
	memset(out, 0, sizeof(*out));
}

void kbx_out_free(struct kbx_out *out)
{
	free(out->buf);
	kbx_out_init(out);
}

static int out_reserve(struct kbx_out *out, size_t extra)
{
	size_t need = out->len + extra + 1;
	char *p;

	if (out->oom)
		return -1;
	if (need <= out->cap)
		return 0;
	if (need < out->cap * 2)
		need = out->cap * 2;
	if (need < 64)
		need = 64;
	p = realloc(out->buf, need);
	if (!p) {
		out->oom = 1;
		return -1;
	}
	out->buf = p;
	out->cap = need;
	return 0;
}

void kbx_out_put(struct kbx_out *out, const char *s, size_t n)
{
	if (out_reserve(out, n))
		return;
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	out->buf[out->len] = '\0';
}

void kbx_out_puts(struct kbx_out *out, const char *s)
{
	kbx_out_put(out, s, strlen(s));
}

void kbx_out_word(struct kbx_out *out, const char *s, size_t n)
{
	if (out->len)
		kbx_out_put(out, " ", 1);
	kbx_out_put(out, s, n);
}

void kbx_out_printf(struct kbx_out *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || out_reserve(out, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(out->buf + out->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out->len += (size_t)n;
}

const char *kbx_out_str(struct kbx_out *out)
{
	return out->buf ? out->buf : "";
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Accepts "ffff..." and "0xffff...", at most 16 digits. */
int kbx_parse_hex(const char *s, size_t n, uint64_t *val)
{
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	if (n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
		i = 2;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		int d = hex_digit((unsigned char)s[i]);

		if (d < 0)
			return -1;
		if (v || d)
			digits++;
		if (digits > 16)
			return -1;
		v = (v << 4) | (uint64_t)d;
	}
	*val = v;
	return 0;
}

size_t kbx_strnlen(const char *s, size_t max)
{
	const char *nul = memchr(s, '\0', max);

	return nul ? (size_t)(nul - s) : max;
}

/* FNV-1a: the symbol indexes hash names that are not NUL-terminated. */
uint32_t kbx_name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}
