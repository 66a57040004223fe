/* Check unit tests of the artifact parsers and payload decoders, on
 * artifacts assembled in memory with the real compression libraries and
 * libfdt, run under ASan and UBSan. lzo has no encoder here: the real
 * zImage.lzo in tests/artifacts covers it. */
#include <check.h>
#include <libfdt.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "../../plugin/kbx.h"

Suite *artifact_suite(void);

#define KERNEL_LEN (600u * 1024)
#define BANNER_AT (400u * 1024)
#define BANNER "Linux version 9.9.9-unit (u@h) (gcc) #1 SMP\n"

static struct kbx_err err;

/* A fake kernel: pseudo-random text with a banner two thirds in. */
static unsigned char *fake_kernel(void)
{
	unsigned char *k = malloc(KERNEL_LEN);
	uint32_t x = 12345;
	size_t i;

	ck_assert_ptr_nonnull(k);
	for (i = 0; i < KERNEL_LEN; i++) {
		x = x * 1103515245u + 12345u;
		k[i] = (unsigned char)"abcdefgh \n\0\x01"[(x >> 16) % 12];
	}
	memcpy(k + BANNER_AT, BANNER, strlen(BANNER));
	return k;
}

static size_t compress_gzip(const unsigned char *in, size_t len,
			    unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return z.total_out;
}

static size_t compress_lzma(int xz, const unsigned char *in, size_t len,
			    unsigned char *out, size_t cap)
{
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_options_lzma opt;

	lzma_lzma_preset(&opt, 6);
	if (xz)
		ck_assert_int_eq(lzma_easy_encoder(&z, 6, LZMA_CHECK_CRC32),
				 LZMA_OK);
	else
		ck_assert_int_eq(lzma_alone_encoder(&z, &opt), LZMA_OK);
	z.next_in = in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	ck_assert_int_eq(lzma_code(&z, LZMA_FINISH), LZMA_STREAM_END);
	lzma_end(&z);
	return cap - z.avail_out;
}

/* lz4 -l framing: magic, then {LE size, block} per 8 MiB of input. */
static size_t compress_lz4_legacy(const unsigned char *in, size_t len,
				  unsigned char *out, size_t cap)
{
	int n;

	memcpy(out, "\x02\x21\x4c\x18", 4);
	n = LZ4_compress_default((const char *)in, (char *)out + 8, (int)len,
				 (int)cap - 8);
	ck_assert_int_gt(n, 0);
	out[4] = (unsigned char)n;
	out[5] = (unsigned char)(n >> 8);
	out[6] = (unsigned char)(n >> 16);
	out[7] = (unsigned char)(n >> 24);
	return (size_t)n + 8;
}

static size_t compress_with(enum kbx_comp comp, const unsigned char *in,
			    size_t len, unsigned char *out, size_t cap)
{
	size_t n;

	switch (comp) {
	case KBX_COMP_GZIP:
		return compress_gzip(in, len, out, cap);
	case KBX_COMP_XZ:
		return compress_lzma(1, in, len, out, cap);
	case KBX_COMP_LZMA:
		return compress_lzma(0, in, len, out, cap);
	case KBX_COMP_ZSTD:
		n = ZSTD_compress(out, cap, in, len, 19);
		ck_assert(!ZSTD_isError(n));
		return n;
	case KBX_COMP_LZ4:
		return compress_lz4_legacy(in, len, out, cap);
	default:
		ck_abort_msg("no encoder");
	}
	return 0;
}

static const enum kbx_comp comps[] = {
	KBX_COMP_GZIP, KBX_COMP_XZ, KBX_COMP_LZMA, KBX_COMP_ZSTD, KBX_COMP_LZ4,
};

struct banner {
	char release[64];
};

static int stop_at_banner(void *ctx, const unsigned char *buf, size_t len,
			  size_t from)
{
	struct banner *b = ctx;

	return kbx_banner_find(buf, len, from, b->release, sizeof(b->release));
}

START_TEST(test_payload_every_library_round_trips_and_stops_at_the_banner)
{
	unsigned char *k = fake_kernel(), *z = malloc(2 * KERNEL_LEN);
	enum kbx_comp comp = comps[_i];
	struct kbx_inflate res;
	struct banner b = { "" };
	size_t n;

	n = compress_with(comp, k, KERNEL_LEN, z, 2 * KERNEL_LEN);
	ck_assert_int_eq(kbx_comp_sniff(z, n), comp);
	ck_assert_int_eq(kbx_decompress(comp, z, n, KBX_PAYLOAD_MAX, NULL, NULL,
					&res, "p", &err),
			 0);
	ck_assert_uint_eq(res.len, KERNEL_LEN);
	ck_assert(memcmp(res.buf, k, KERNEL_LEN) == 0);
	kbx_inflate_free(&res);
	/* a release needs only the first two thirds */
	ck_assert_int_eq(kbx_decompress(comp, z, n, KBX_PAYLOAD_MAX,
					stop_at_banner, &b, &res, "p", &err),
			 1);
	ck_assert_str_eq(b.release, "9.9.9-unit");
	if (comp != KBX_COMP_LZ4) /* lz4 -l inflates 8 MiB blocks whole */
		ck_assert_uint_lt(res.len, KERNEL_LEN);
	kbx_inflate_free(&res);
	/* cut in half: an error, never a crash or a silent success */
	ck_assert_int_eq(kbx_decompress(comp, z, n / 2, KBX_PAYLOAD_MAX, NULL,
					NULL, &res, "p", &err),
			 -1);
	ck_assert_msg(strstr(err.msg, "p: ") == err.msg, "%s", err.msg);
	kbx_inflate_free(&res);
	free(z);
	free(k);
}
END_TEST

START_TEST(test_payload_bomb_stops_at_the_limit)
{
	unsigned char *zeros = calloc(1, 8u << 20), *z = malloc(1u << 20);
	struct kbx_inflate res;
	size_t n = compress_gzip(zeros, 8u << 20, z, 1u << 20);

	ck_assert_int_eq(kbx_decompress(KBX_COMP_GZIP, z, n, 1u << 20, NULL,
					NULL, &res, "bomb", &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "inflates past 1048576 bytes"));
	ck_assert_uint_le(res.cap, 1u << 20);
	kbx_inflate_free(&res);
	free(z);
	free(zeros);
}
END_TEST

START_TEST(test_banner_found_across_a_chunk_boundary_not_in_format_strings)
{
	const char text[] = "Linux version %s (%s)\0xx Linux version "
			    "6.1.0-9-arm64 "
			    "(debian-kernel@lists) #1";
	char rel[64];

	/* the caller says new bytes start mid-banner: still found */
	ck_assert_int_eq(kbx_banner_find((const unsigned char *)text,
					 sizeof(text) - 1, 40, rel,
					 sizeof(rel)),
			 1);
	ck_assert_str_eq(rel, "6.1.0-9-arm64");
	/* "%s" is no release: a printk format string is skipped */
	ck_assert_int_eq(kbx_banner_find((const unsigned char *)text, 26, 0,
					 rel, sizeof(rel)),
			 0);
}
END_TEST

/* ---- formats assembled in memory --------------------------------------- */

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static size_t make_uimage(unsigned char *u, const unsigned char *data,
			  size_t len, unsigned char comp)
{
	memset(u, 0, 64);
	put_be32(u, 0x27051956u);
	put_be32(u + 0x0C, (uint32_t)len);
	put_be32(u + 0x10, 0x80008000u);
	put_be32(u + 0x14, 0x80008040u);
	memcpy(u + 64, data, len);
	put_be32(u + 0x18, (uint32_t)crc32(0, u + 64, (uInt)len));
	u[0x1C] = 5; /* linux */
	u[0x1D] = 2; /* arm */
	u[0x1E] = 2; /* kernel */
	u[0x1F] = comp;
	memcpy(u + 0x20, "Linux-9.9.9-unit, a name of 32 chars", 32);
	put_be32(u + 4, (uint32_t)crc32(0, u, 64));
	return 64 + len;
}

static const char *field(struct kbx_image *img, const char *name)
{
	static char buf[256];
	struct kbx_out out;

	kbx_out_init(&out);
	ck_assert_int_eq(kbx_image_field(img, name, &out, &err), 0);
	snprintf(buf, sizeof(buf), "%s", kbx_out_str(&out));
	kbx_out_free(&out);
	return buf;
}

START_TEST(test_uimage_fields_crcs_and_an_unterminated_name)
{
	unsigned char *k = fake_kernel(), *z = malloc(KERNEL_LEN);
	unsigned char *u = malloc(KERNEL_LEN + 64);
	size_t n = compress_gzip(k, KERNEL_LEN, z, KERNEL_LEN);
	struct kbx_image img = { 0 };

	n = make_uimage(u, z, n, 1);
	ck_assert_int_eq(kbx_image_parse("u", u, n, &img, &err), 0);
	ck_assert_str_eq(field(&img, "name"), "Linux-9.9.9-unit, a name of 32 "
					      "c");
	ck_assert_str_eq(field(&img, "load"), "0x80008000");
	ck_assert_str_eq(field(&img, "entry"), "0x80008040");
	ck_assert_str_eq(field(&img, "comp"), "gzip");
	ck_assert_str_eq(field(&img, "os"), "linux");
	ck_assert_str_eq(field(&img, "arch"), "arm");
	ck_assert_str_eq(field(&img, "release"), "9.9.9-unit");
	ck_assert_int_eq(kbx_image_verify(&img, "arm", &err), 0);
	u[200] ^= 1;
	ck_assert_int_eq(kbx_image_verify(&img, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "u: uImage data CRC mismatch"));
	u[0x10] ^= 1;
	ck_assert_int_eq(kbx_image_parse("u", u, n, &img, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "u: uImage header CRC mismatch"));
	free(u);
	free(z);
	free(k);
}
END_TEST

/* A zImage as head.S lays it out: header, KLSZ table, decompressor bytes
 * holding decoy magics, then the payload and its size word. */
static size_t make_zimage(unsigned char *zi, const unsigned char *payload,
			  size_t plen, uint32_t size_word)
{
	size_t piggy = 0x400 + plen;

	memset(zi, 0, 0x400);
	put_le32(zi + 0x24, 0x016F2818u);
	put_le32(zi + 0x28, 0);
	put_le32(zi + 0x2C, (uint32_t)(piggy + 4 + 64));
	put_le32(zi + 0x30, 0x04030201u);
	put_le32(zi + 0x34, 0x45454545u);
	put_le32(zi + 0x38, 0x40);
	put_le32(zi + 0x40, 6);
	put_le32(zi + 0x44, 0x5A534C4Bu);
	put_le32(zi + 0x48, (uint32_t)piggy);
	memcpy(zi + 0x100, "\x1f\x8b\x08\x00garbage", 11); /* decoy gzip */
	memcpy(zi + 0x200,
	       "\xfd"
	       "7zXZ\0\0\0junk",
	       12); /* decoy xz */
	memcpy(zi + 0x300, "\x5d\0\0\x80\0\xff\xff", 7); /* decoy lzma */
	memcpy(zi + 0x400, payload, plen);
	put_le32(zi + piggy, size_word);
	memset(zi + piggy + 4, 0, 64);
	return piggy + 4 + 64;
}

START_TEST(test_zimage_skips_decoy_magics_and_checks_the_size_word)
{
	unsigned char *k = fake_kernel(), *z = malloc(KERNEL_LEN);
	unsigned char *zi = malloc(KERNEL_LEN + 0x1000);
	size_t n = compress_lzma(1, k, KERNEL_LEN, z, KERNEL_LEN);
	size_t zn = make_zimage(zi, z, n, KERNEL_LEN);
	struct kbx_image img = { 0 };

	ck_assert_int_eq(kbx_identify(zi, zn), KBX_FMT_ZIMAGE);
	ck_assert_int_eq(kbx_image_parse("z", zi, zn, &img, &err), 0);
	ck_assert_str_eq(field(&img, "release"), "9.9.9-unit");
	ck_assert_str_eq(field(&img, "comp"), "xz");
	ck_assert_str_eq(field(&img, "payload"), "614400");
	ck_assert_int_eq(kbx_image_verify(&img, "arm", &err), 0);
	zn = make_zimage(zi, z, n, KERNEL_LEN - 1);
	ck_assert_int_eq(kbx_image_parse("z", zi, zn, &img, &err), 0);
	ck_assert_int_eq(kbx_image_verify(&img, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "z: xz payload inflates to 614400 bytes, "
				  "the header promises 614399");
	free(zi);
	free(z);
	free(k);
}
END_TEST

START_TEST(test_arm64_header_flags_page_size_and_endianness)
{
	unsigned char *img_bytes = calloc(1, 8192);
	struct kbx_image img = { 0 };

	put_le32(img_bytes + 0x10, 8192 * 4); /* image_size */
	put_le32(img_bytes + 0x18, 1 | (2 << 1)); /* BE, 16K pages */
	put_le32(img_bytes + 0x38, 0x644D5241u);
	ck_assert_int_eq(kbx_image_parse("I", img_bytes, 8192, &img, &err), 0);
	ck_assert_str_eq(field(&img, "endian"), "big");
	ck_assert_str_eq(field(&img, "page-size"), "16384");
	ck_assert_str_eq(field(&img, "image-size"), "32768");
	ck_assert_str_eq(field(&img, "text-offset"), "0x0");
	ck_assert_str_eq(field(&img, "format"), "Image");
	free(img_bytes);
}
END_TEST

START_TEST(test_riscv_image_and_a_pe_machine_for_another_arch)
{
	unsigned char *b = calloc(1, 8192);
	struct kbx_image img = { 0 };

	put_le32(b + 0x08, 0x200000); /* text_offset */
	put_le32(b + 0x10, 0x10000); /* image_size */
	memcpy(b + 0x30, "RISCV\0\0\0", 8);
	memcpy(b + 0x38, "RSC\x05", 4);
	ck_assert_int_eq(kbx_image_parse("rv", b, 8192, &img, &err), 0);
	ck_assert_str_eq(field(&img, "arch"), "riscv");
	ck_assert_str_eq(field(&img, "text-offset"), "0x200000");
	ck_assert_int_eq(kbx_image_verify(&img, "riscv64", &err), 0);
	/* an EFI stub whose PE header says arm64 is no RISC-V Image */
	b[0] = 'M';
	b[1] = 'Z';
	put_le32(b + 0x3C, 0x40);
	memcpy(b + 0x40, "PE\0\0\x64\xaa", 6);
	ck_assert_int_eq(kbx_image_parse("rv", b, 8192, &img, &err), -1);
	ck_assert_str_eq(err.msg, "rv: EFI stub: PE machine 0xaa64, expected "
				  "0x5064 for riscv");
	free(b);
}
END_TEST

START_TEST(test_zboot_payload_and_arch_from_its_pe_header)
{
	unsigned char *k = fake_kernel(), *b = calloc(1, KERNEL_LEN + 4096);
	size_t n = compress_gzip(k, KERNEL_LEN, b + 0x200, KERNEL_LEN);
	struct kbx_image img = { 0 };

	memcpy(b, "MZ\0\0zimg", 8);
	put_le32(b + 0x08, 0x200);
	put_le32(b + 0x0C, (uint32_t)n);
	memcpy(b + 0x18, "gzip", 4);
	put_le32(b + 0x3C, 0x40);
	memcpy(b + 0x40, "PE\0\0\x64\xaa", 6);
	ck_assert_int_eq(kbx_identify(b, n + 0x200), KBX_FMT_ZBOOT);
	ck_assert_int_eq(kbx_image_parse("zb", b, n + 0x200, &img, &err), 0);
	ck_assert_str_eq(field(&img, "arch"), "arm64");
	ck_assert_str_eq(field(&img, "comp"), "gzip");
	ck_assert_str_eq(field(&img, "release"), "9.9.9-unit");
	ck_assert_int_eq(kbx_image_verify(&img, "arm64", &err), 0);
	put_le32(b + 0x0C, (uint32_t)n + 0x1000);
	ck_assert_int_eq(kbx_image_parse("zb", b, n + 0x200, &img, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "runs past the end of the file"));
	free(b);
	free(k);
}
END_TEST

START_TEST(test_bzimage_release_comes_from_the_setup_header)
{
	size_t setup = 5 * 512, plen, total;
	unsigned char *k = fake_kernel(), *b = calloc(1, KERNEL_LEN + 8192);
	struct kbx_image img = { 0 };

	plen = compress_gzip(k, KERNEL_LEN, b + setup + 0x100, KERNEL_LEN);
	put_le32(b + setup + 0x100 + plen, KERNEL_LEN); /* size_append */
	plen += 4;
	total = (setup + 0x100 + plen + 4 + 15) & ~(size_t)15;
	b[0x1F1] = 4;
	put_le32(b + 0x1F4, (uint32_t)((total - setup) / 16));
	b[0x1FE] = 0x55;
	b[0x1FF] = 0xAA;
	b[0x200] = 0xEB;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0F;
	b[0x207] = 0x02;
	b[0x20E] = 0x00; /* kernel_version at 0x200 + 0x300 */
	b[0x20F] = 0x03;
	strcpy((char *)b + 0x500, "6.1.7-hdr (u@h) #1"); /* < 6.7: CRC */
	b[0x236] = 1; /* KERNEL_64 */
	put_le32(b + 0x248, 0x100);
	put_le32(b + 0x24C, (uint32_t)plen);
	put_le32(b + total - 4, ~(uint32_t)crc32(0, b, (uInt)(total - 4)));
	ck_assert_int_eq(kbx_image_parse("bz", b, total, &img, &err), 0);
	ck_assert_str_eq(field(&img, "release"), "6.1.7-hdr");
	ck_assert_str_eq(field(&img, "bits"), "64");
	ck_assert_str_eq(field(&img, "comp"), "gzip");
	ck_assert_int_eq(kbx_image_verify(&img, "x86_64", &err), 0);
	b[setup + 10] ^= 0xff;
	ck_assert_int_eq(kbx_image_verify(&img, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bz: bzImage CRC mismatch"));
	free(b);
	free(k);
}
END_TEST

/* One property's value followed by "|". */
static int dtb_str(const unsigned char *blob, size_t len, const char *node,
		   const char *prop, struct kbx_out *all)
{
	struct kbx_out one;
	int rc;

	kbx_out_init(&one);
	rc = kbx_dtb_get("d", blob, len, node, prop, &one, &err);
	kbx_out_puts(all, kbx_out_str(&one));
	kbx_out_puts(all, "|");
	kbx_out_free(&one);
	return rc;
}

START_TEST(test_dtb_values_print_as_fdtget_and_bad_headers_are_named)
{
	unsigned char buf[1024];
	static const uint32_t cells[] = { 0x01000000u, 0xffffffffu };
	struct kbx_out out;
	struct kbx_image img = { 0 };
	size_t len;

	ck_assert_int_eq(fdt_create(buf, sizeof(buf)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(buf), 0);
	ck_assert_int_eq(fdt_begin_node(buf, ""), 0);
	ck_assert_int_eq(fdt_property(buf, "compatible", "a,b\0c,d", 8), 0);
	ck_assert_int_eq(fdt_property(buf, "cells", cells, 8), 0);
	ck_assert_int_eq(fdt_property(buf, "bytes", "\x01\x02\xff", 3), 0);
	ck_assert_int_eq(fdt_property(buf, "empty", "", 0), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_finish(buf), 0);
	len = fdt_totalsize(buf);
	kbx_out_init(&out);
	ck_assert_int_eq(dtb_str(buf, len, "/", "compatible", &out), 0);
	dtb_str(buf, len, "/", "cells", &out);
	dtb_str(buf, len, "/", "bytes", &out);
	dtb_str(buf, len, "/", "empty", &out);
	dtb_str(buf, len, "/nope", "x", &out);
	/* cells print as signed decimals, as fdtget's default %d does */
	ck_assert_str_eq(kbx_out_str(&out), "a,b c,d|1 -1|1 2 255|||");
	kbx_out_free(&out);
	ck_assert_int_eq(kbx_image_parse("d", buf, len, &img, &err), 0);
	ck_assert_int_eq(kbx_image_verify(&img, NULL, &err), 0);
	put_be32(buf + 4, (uint32_t)len + 1);
	ck_assert_int_eq(kbx_image_parse("d", buf, len, &img, &err), -1);
	ck_assert_msg(strncmp(err.msg, "d: DTB is truncated: totalsize ", 31) ==
			      0,
		      "%s", err.msg);
}
END_TEST

Suite *artifact_suite(void)
{
	Suite *s = suite_create("artifacts");
	TCase *t = tcase_create("artifacts");

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(
		t,
		test_payload_every_library_round_trips_and_stops_at_the_banner,
		0, (int)(sizeof(comps) / sizeof(comps[0])));
	tcase_add_test(t, test_payload_bomb_stops_at_the_limit);
	tcase_add_test(
		t,
		test_banner_found_across_a_chunk_boundary_not_in_format_strings);
	tcase_add_test(t, test_uimage_fields_crcs_and_an_unterminated_name);
	tcase_add_test(t,
		       test_zimage_skips_decoy_magics_and_checks_the_size_word);
	tcase_add_test(t, test_arm64_header_flags_page_size_and_endianness);
	tcase_add_test(t, test_bzimage_release_comes_from_the_setup_header);
	tcase_add_test(t, test_riscv_image_and_a_pe_machine_for_another_arch);
	tcase_add_test(t, test_zboot_payload_and_arch_from_its_pe_header);
	tcase_add_test(
		t, test_dtb_values_print_as_fdtget_and_bad_headers_are_named);
	suite_add_tcase(s, t);
	return s;
}
