/* Compressed kernel payloads: recognising a compression by its magic and
 * decompressing it with the real library (zlib, liblzma, liblzo2, liblz4,
 * libzstd), optionally stopping as soon as the caller has what it needs
 * (a release banner is found long before the end of a kernel). */
#include <errno.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "kbx.h"

#define CHUNK (256u * 1024)
#define LZ4_LEGACY_BLOCK (8u << 20) /* lz4 -l: 8 MiB blocks */
#define LZOP_MAX_BLOCK (64u << 20)

static const struct {
	enum kbx_comp comp;
	const char *name;
	const char *magic;
	size_t magic_len;
} comps[] = {
	{ KBX_COMP_NONE, "none", "", 0 },
	{ KBX_COMP_GZIP, "gzip", "\x1f\x8b\x08", 3 },
	{ KBX_COMP_XZ, "xz",
	  "\xfd"
	  "7zXZ\0",
	  6 },
	{ KBX_COMP_LZMA, "lzma", "\x5d\0\0", 3 },
	{ KBX_COMP_LZO, "lzo", "\x89LZO\0\r\n\x1a\n", 9 },
	{ KBX_COMP_LZ4, "lz4", "\x02\x21\x4c\x18", 4 },
	{ KBX_COMP_LZ4, "lz4", "\x04\x22\x4d\x18", 4 },
	{ KBX_COMP_ZSTD, "zstd", "\x28\xb5\x2f\xfd", 4 },
	{ KBX_COMP_BZIP2, "bzip2", "BZh", 3 },
};

const char *kbx_comp_name(enum kbx_comp comp)
{
	size_t i;

	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (comps[i].comp == comp)
			return comps[i].name;
	return "unknown";
}

int kbx_comp_from_name(const char *name, enum kbx_comp *comp)
{
	size_t i;

	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (strcmp(comps[i].name, name) == 0) {
			*comp = comps[i].comp;
			return 0;
		}
	return -1;
}

enum kbx_comp kbx_comp_sniff(const unsigned char *data, size_t len)
{
	size_t i;

	for (i = 1; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (len >= comps[i].magic_len &&
		    memcmp(data, comps[i].magic, comps[i].magic_len) == 0)
			return comps[i].comp;
	return KBX_COMP_NONE;
}

/* The first offset in [FROM, TO) where a compression magic starts, TO
 * when there is none: the candidates for a payload whose start is
 * recorded nowhere (zImage). A table of first bytes keeps the scan to one
 * load per byte; a full compare only where one matches. */
size_t kbx_comp_next(const unsigned char *data, size_t from, size_t to)
{
	static unsigned char first[256];
	size_t pos, i;

	if (!first[0x1f]) /* idempotent: concurrent fills write the same */
		for (i = 1; i < sizeof(comps) / sizeof(comps[0]); i++)
			first[(unsigned char)comps[i].magic[0]] = 1;
	for (pos = from; pos < to; pos++) {
		enum kbx_comp c;

		if (!first[data[pos]])
			continue;
		c = kbx_comp_sniff(data + pos, to - pos);
		if (c != KBX_COMP_NONE && c != KBX_COMP_BZIP2)
			return pos;
	}
	return to;
}

/* ---- the output side, shared by every decoder ---------------------------- */

struct sink {
	struct kbx_inflate *res;
	size_t max_out;
	kbx_inflate_stop_fn stop;
	void *ctx;
	size_t scanned;
};

/* Room for at least WANT more bytes; -1 when the limit would be passed. */
static int sink_reserve(struct sink *s, size_t want)
{
	struct kbx_inflate *r = s->res;
	size_t cap;
	unsigned char *p;

	if (r->len + want <= r->cap)
		return 0;
	if (want > s->max_out - r->len)
		want = s->max_out - r->len;
	if (want == 0)
		return -1;
	cap = r->cap ? r->cap : CHUNK;
	while (cap < r->len + want)
		cap = cap > s->max_out / 2 ? s->max_out : cap * 2;
	p = realloc(r->buf, cap);
	if (!p)
		return -1;
	r->buf = p;
	r->cap = cap;
	return 0;
}

/* 1 when the caller's predicate has seen enough. */
static int sink_check_stop(struct sink *s)
{
	int done;

	if (!s->stop || s->res->len == s->scanned)
		return 0;
	done = s->stop(s->ctx, s->res->buf, s->res->len, s->scanned);
	s->scanned = s->res->len;
	return done;
}

/* ---- one function per library ------------------------------------------ */

static int inflate_gzip(struct sink *s, const unsigned char *in, size_t len,
			const char *path, struct kbx_err *err)
{
	z_stream z;
	int rc = Z_OK, ret = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return kbx_fail(err, path, "zlib: cannot initialise");
	z.next_in = (unsigned char *)in;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	while (rc != Z_STREAM_END) {
		if (sink_reserve(s, CHUNK)) {
			ret = kbx_fail(err, path,
				       "gzip payload inflates past %zu bytes",
				       s->max_out);
			break;
		}
		z.next_out = s->res->buf + s->res->len;
		z.avail_out = (uInt)(s->res->cap - s->res->len);
		rc = inflate(&z, Z_NO_FLUSH);
		s->res->len = s->res->cap - z.avail_out;
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			ret = kbx_fail(err, path, "gzip payload is truncated");
			break;
		}
		if (rc != Z_OK && rc != Z_STREAM_END) {
			ret = kbx_fail(err, path,
				       "gzip payload is corrupt (%s)",
				       z.msg ? z.msg : "inflate failed");
			break;
		}
		if (sink_check_stop(s)) {
			ret = 1;
			break;
		}
	}
	s->res->in_used = (size_t)(z.next_in - in);
	inflateEnd(&z);
	return ret;
}

static const char *lzma_reason(lzma_ret rc)
{
	switch (rc) {
	case LZMA_FORMAT_ERROR:
		return "not in the expected format";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_DATA_ERROR:
		return "corrupt data";
	case LZMA_BUF_ERROR:
		return "truncated";
	case LZMA_MEM_ERROR:
	case LZMA_MEMLIMIT_ERROR:
		return "needs too much memory";
	default:
		return "decoder error";
	}
}

/* A .lzma header that lzma(1) could have written: properties 0x5d and a
 * dictionary of 2^n or 3*2^(n-1) bytes. The decompressor code in a zImage
 * holds decoy "5d 00 00" bytes, and an LZMA decoder would happily turn
 * them into megabytes of garbage. */
static int lzma_header_plausible(const unsigned char *in, size_t len)
{
	uint32_t dict;
	int bit;

	if (len < 13 || in[0] > (4 * 5 + 4) * 9 + 8)
		return 0;
	dict = (uint32_t)in[1] | (uint32_t)in[2] << 8 | (uint32_t)in[3] << 16 |
	       (uint32_t)in[4] << 24;
	if (dict < 4096)
		return 0;
	for (bit = 12; bit < 31; bit++)
		if (dict == 1u << bit || dict == 3u << (bit - 1))
			return 1;
	return 0;
}

static int inflate_lzma(struct sink *s, enum kbx_comp comp,
			const unsigned char *in, size_t len, const char *path,
			struct kbx_err *err)
{
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_ret rc;
	int ret = 0;
	const char *name = kbx_comp_name(comp);

	if (comp == KBX_COMP_LZMA && !lzma_header_plausible(in, len))
		return kbx_fail(err, path,
				"lzma payload has an implausible header");
	rc = comp == KBX_COMP_XZ ? lzma_stream_decoder(&z, 1u << 30, 0)
				 : lzma_alone_decoder(&z, 1u << 30);
	if (rc != LZMA_OK)
		return kbx_fail(err, path, "liblzma: cannot initialise");
	z.next_in = in;
	z.avail_in = len;
	for (;;) {
		if (sink_reserve(s, CHUNK)) {
			ret = kbx_fail(err, path,
				       "%s payload inflates past %zu bytes",
				       name, s->max_out);
			break;
		}
		z.next_out = s->res->buf + s->res->len;
		z.avail_out = s->res->cap - s->res->len;
		rc = lzma_code(&z, z.avail_in ? LZMA_RUN : LZMA_FINISH);
		s->res->len = s->res->cap - z.avail_out;
		if (rc == LZMA_STREAM_END)
			break;
		if (rc != LZMA_OK) {
			ret = kbx_fail(err, path, "%s payload: %s", name,
				       rc == LZMA_BUF_ERROR ||
						       (z.avail_in == 0 &&
							rc == LZMA_DATA_ERROR)
					       ? "truncated"
					       : lzma_reason(rc));
			break;
		}
		if (sink_check_stop(s)) {
			ret = 1;
			break;
		}
	}
	s->res->in_used = (size_t)(z.next_in - in);
	lzma_end(&z);
	return ret;
}

static int inflate_zstd(struct sink *s, const unsigned char *in, size_t len,
			const char *path, struct kbx_err *err)
{
	ZSTD_DCtx *z = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t rc = 1;
	int ret = 0;

	if (!z)
		return kbx_fail(err, path, "libzstd: cannot initialise");
	while (rc != 0) {
		ZSTD_outBuffer ob;

		if (sink_reserve(s, CHUNK)) {
			ret = kbx_fail(err, path,
				       "zstd payload inflates past %zu bytes",
				       s->max_out);
			break;
		}
		ob.dst = s->res->buf + s->res->len;
		ob.size = s->res->cap - s->res->len;
		ob.pos = 0;
		rc = ZSTD_decompressStream(z, &ob, &ib);
		s->res->len += ob.pos;
		if (ZSTD_isError(rc)) {
			ret = kbx_fail(err, path,
				       "zstd payload is corrupt (%s)",
				       ZSTD_getErrorName(rc));
			break;
		}
		if (rc != 0 && ib.pos == ib.size && ob.pos < ob.size) {
			ret = kbx_fail(err, path, "zstd payload is truncated");
			break;
		}
		if (sink_check_stop(s)) {
			ret = 1;
			break;
		}
	}
	s->res->in_used = ib.pos;
	ZSTD_freeDCtx(z);
	return ret;
}

/* lz4 -l (what the kernel's Makefile.lib uses): a magic, then blocks of
 * {LE u32 compressed size, data}, each inflating to at most 8 MiB. The
 * kernel appends a 4-byte size after the last block. */
static int inflate_lz4_legacy(struct sink *s, const unsigned char *in,
			      size_t len, const char *path, struct kbx_err *err)
{
	size_t pos = 4;

	while (len - pos > 4) {
		uint32_t csize = kbx_le32(in + pos);
		int n;

		if (csize == 0x184C2102u) { /* a concatenated stream */
			pos += 4;
			continue;
		}
		pos += 4;
		if (csize > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK))
			break; /* not a block: the size trailer or other data */
		if (csize > len - pos)
			return kbx_fail(err, path, "lz4 payload is truncated");
		if (sink_reserve(s, LZ4_LEGACY_BLOCK))
			return kbx_fail(err, path,
					"lz4 payload inflates past %zu bytes",
					s->max_out);
		n = LZ4_decompress_safe((const char *)in + pos,
					(char *)s->res->buf + s->res->len,
					(int)csize,
					(int)(s->res->cap - s->res->len));
		if (n < 0)
			return kbx_fail(err, path, "lz4 payload is corrupt");
		s->res->len += (size_t)n;
		pos += csize;
		s->res->in_used = pos;
		if (sink_check_stop(s))
			return 1;
	}
	s->res->in_used = pos;
	return 0;
}

static int inflate_lz4_frame(struct sink *s, const unsigned char *in,
			     size_t len, const char *path, struct kbx_err *err)
{
	LZ4F_dctx *z;
	size_t pos = 0, rc = 1;
	int ret = 0;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&z, LZ4F_VERSION)))
		return kbx_fail(err, path, "liblz4: cannot initialise");
	while (rc != 0) {
		size_t out_n, in_n = len - pos;

		if (in_n == 0) {
			ret = kbx_fail(err, path, "lz4 payload is truncated");
			break;
		}
		if (sink_reserve(s, CHUNK)) {
			ret = kbx_fail(err, path,
				       "lz4 payload inflates past %zu bytes",
				       s->max_out);
			break;
		}
		out_n = s->res->cap - s->res->len;
		rc = LZ4F_decompress(z, s->res->buf + s->res->len, &out_n,
				     in + pos, &in_n, NULL);
		if (LZ4F_isError(rc)) {
			ret = kbx_fail(err, path, "lz4 payload is corrupt (%s)",
				       LZ4F_getErrorName(rc));
			break;
		}
		s->res->len += out_n;
		pos += in_n;
		if (sink_check_stop(s)) {
			ret = 1;
			break;
		}
	}
	s->res->in_used = pos;
	LZ4F_freeDecompressionContext(z);
	return ret;
}

/* lzop's container (what `lzop -9` writes for the kernel): a header whose
 * layout depends on its version and flags, then checksummed blocks. */
#define LZOP_ADLER32_D 0x001u
#define LZOP_ADLER32_C 0x002u
#define LZOP_EXTRA_FIELD 0x040u
#define LZOP_CRC32_D 0x100u
#define LZOP_CRC32_C 0x200u
#define LZOP_FILTER 0x800u

struct lzop_reader {
	const unsigned char *in;
	size_t len, pos;
};

static int lzop_take(struct lzop_reader *r, size_t n, const unsigned char **p)
{
	if (n > r->len - r->pos)
		return -1;
	*p = r->in + r->pos;
	r->pos += n;
	return 0;
}

static int lzop_u32(struct lzop_reader *r, uint32_t *v)
{
	const unsigned char *p;

	if (lzop_take(r, 4, &p))
		return -1;
	*v = kbx_be32(p);
	return 0;
}

static int lzop_skip_header(struct lzop_reader *r, uint32_t *flags)
{
	const unsigned char *p;
	unsigned version;
	uint32_t extra;

	if (lzop_take(r, 9 + 2 + 2, &p))
		return -1;
	version = (unsigned)p[9] << 8 | p[10];
	if (version >= 0x0940 && lzop_take(r, 2, &p))
		return -1;
	if (lzop_take(r, version >= 0x0940 ? 2 : 1, &p) || lzop_u32(r, flags))
		return -1;
	if ((*flags & LZOP_FILTER) && lzop_take(r, 4, &p))
		return -1;
	if (lzop_take(r, version >= 0x0940 ? 12 : 8, &p)) /* mode, mtime */
		return -1;
	if (lzop_take(r, 1, &p) || lzop_take(r, p[0], &p)) /* file name */
		return -1;
	if (lzop_take(r, 4, &p)) /* header checksum */
		return -1;
	if (*flags & LZOP_EXTRA_FIELD) {
		if (lzop_u32(r, &extra) || lzop_take(r, extra, &p) ||
		    lzop_take(r, 4, &p))
			return -1;
	}
	return 0;
}

static int inflate_lzo(struct sink *s, const unsigned char *in, size_t len,
		       const char *path, struct kbx_err *err)
{
	struct lzop_reader r = { in, len, 0 };
	uint32_t flags, dlen, clen, dsum = 0, skip;
	const unsigned char *p;

	if (lzo_init() != LZO_E_OK)
		return kbx_fail(err, path, "liblzo2: cannot initialise");
	if (lzop_skip_header(&r, &flags))
		return kbx_fail(err, path, "lzo payload: truncated header");
	for (;;) {
		lzo_uint out_n;

		if (lzop_u32(&r, &dlen))
			return kbx_fail(err, path, "lzo payload is truncated");
		if (dlen == 0)
			break;
		if (dlen > LZOP_MAX_BLOCK || lzop_u32(&r, &clen))
			return kbx_fail(err, path,
					"lzo payload: bad block header");
		if ((flags & (LZOP_ADLER32_D | LZOP_CRC32_D)) &&
		    lzop_u32(&r, &dsum))
			return kbx_fail(err, path, "lzo payload is truncated");
		skip = (flags & LZOP_ADLER32_D) && (flags & LZOP_CRC32_D) ? 4
									  : 0;
		if (clen < dlen)
			skip += ((flags & LZOP_ADLER32_C) ? 4 : 0) +
				((flags & LZOP_CRC32_C) ? 4 : 0);
		if (lzop_take(&r, skip, &p) || lzop_take(&r, clen, &p))
			return kbx_fail(err, path, "lzo payload is truncated");
		if (clen > dlen)
			return kbx_fail(err, path, "lzo payload: block grows");
		if (sink_reserve(s, dlen) || s->res->cap - s->res->len < dlen)
			return kbx_fail(err, path,
					"lzo payload inflates past %zu bytes",
					s->max_out);
		out_n = dlen;
		if (clen == dlen)
			memcpy(s->res->buf + s->res->len, p, dlen);
		else if (lzo1x_decompress_safe(p, clen,
					       s->res->buf + s->res->len,
					       &out_n, NULL) != LZO_E_OK ||
			 out_n != dlen)
			return kbx_fail(err, path, "lzo payload is corrupt");
		if ((flags & LZOP_ADLER32_D) &&
		    lzo_adler32(1, s->res->buf + s->res->len, dlen) != dsum)
			return kbx_fail(err, path,
					"lzo payload: block checksum mismatch");
		s->res->len += dlen;
		s->res->in_used = r.pos;
		if (sink_check_stop(s))
			return 1;
	}
	s->res->in_used = r.pos;
	return 0;
}

int kbx_decompress(enum kbx_comp comp, const unsigned char *in, size_t len,
		   size_t max_out, kbx_inflate_stop_fn stop, void *ctx,
		   struct kbx_inflate *res, const char *path,
		   struct kbx_err *err)
{
	struct sink s;

	/* RES is the caller's, uninitialised: clear it before pointing at it */
	memset(res, 0, sizeof(*res));
	s.res = res;
	s.max_out = max_out;
	s.stop = stop;
	s.ctx = ctx;
	s.scanned = 0;
	switch (comp) {
	case KBX_COMP_GZIP:
		return inflate_gzip(&s, in, len, path, err);
	case KBX_COMP_XZ:
	case KBX_COMP_LZMA:
		return inflate_lzma(&s, comp, in, len, path, err);
	case KBX_COMP_ZSTD:
		return inflate_zstd(&s, in, len, path, err);
	case KBX_COMP_LZ4:
		if (len >= 4 && kbx_le32(in) == 0x184C2102u)
			return inflate_lz4_legacy(&s, in, len, path, err);
		return inflate_lz4_frame(&s, in, len, path, err);
	case KBX_COMP_LZO:
		return inflate_lzo(&s, in, len, path, err);
	case KBX_COMP_BZIP2:
		return kbx_fail(err, path, "bzip2 payloads are not supported");
	case KBX_COMP_NONE:
		break;
	}
	return kbx_fail(err, path, "no known compression");
}

void kbx_inflate_free(struct kbx_inflate *res)
{
	free(res->buf);
	memset(res, 0, sizeof(*res));
}
