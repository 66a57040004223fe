/* Check unit tests of the core library, run under ASan and UBSan. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugin/kbx.h"

Suite *artifact_suite(void);
Suite *toolchain_suite(void);

static struct kbx_err err;

static const char map_text[] = "ffffffff81000000 T _stext\n"
			       "ffffffff81000000 T startup_64\n"
			       "\n"
			       "ffffffff81000100 T start_kernel\n"
			       "ffffffff81000200 d some_data\n"
			       "ffffffff81000300 T _etext\n";

static struct kbx_symmap *parse_map(const char *text)
{
	memset(&err, 0, sizeof(err));
	return kbx_symmap_parse_text("test.map", (const unsigned char *)text,
				     strlen(text), &err);
}

static const char *lookup(struct kbx_symmap *m, const char *sym)
{
	static struct kbx_out out;

	kbx_out_free(&out);
	kbx_symmap_lookup(m, sym, &out);
	return kbx_out_str(&out);
}

static const char *a2s(struct kbx_symmap *m, uint64_t addr, int text)
{
	static struct kbx_out out;

	kbx_out_free(&out);
	if (text)
		kbx_symmap_addr2text(m, addr, &out);
	else
		kbx_symmap_addr2sym(m, addr, &out);
	return kbx_out_str(&out);
}

START_TEST(test_parse_hex_accepts_both_forms_and_rejects_junk)
{
	uint64_t v;

	ck_assert_int_eq(kbx_parse_hex("0xff", 4, &v), 0);
	ck_assert_uint_eq(v, 255);
	ck_assert_int_eq(kbx_parse_hex("ffffffff81000000", 16, &v), 0);
	ck_assert_uint_eq(v, 0xffffffff81000000ull);
	ck_assert_int_eq(kbx_parse_hex("00000000ffffffff81000000", 24, &v), 0);
	ck_assert_int_eq(kbx_parse_hex("1ffffffff81000000", 17, &v), -1);
	ck_assert_int_eq(kbx_parse_hex("0x", 2, &v), -1);
	ck_assert_int_eq(kbx_parse_hex("12g4", 4, &v), -1);
}
END_TEST

START_TEST(test_symmap_lookup_first_line_wins_and_keeps_width)
{
	struct kbx_symmap *m = parse_map(map_text);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(kbx_symmap_count(m), 5);
	ck_assert_str_eq(lookup(m, "start_kernel"), "ffffffff81000100");
	ck_assert_str_eq(lookup(m, "nope"), "");
	kbx_symmap_free(m);
	m = parse_map("c0008000 T stext\nc0c00a28 T start_kernel\n");
	ck_assert_str_eq(lookup(m, "stext"), "c0008000");
	kbx_symmap_free(m);
}
END_TEST

START_TEST(test_symmap_addr2sym_uses_first_alias_and_next_higher_address)
{
	struct kbx_symmap *m = parse_map(map_text);

	ck_assert_str_eq(a2s(m, 0xffffffff81000010ull, 0), "_stext+0x10/0x100");
	ck_assert_str_eq(a2s(m, 0xffffffff81000100ull, 0), "start_kernel+0x0/"
							   "0x100");
	ck_assert_str_eq(a2s(m, 0xffffffff81000250ull, 0), "some_data+0x50/"
							   "0x100");
	ck_assert_str_eq(a2s(m, 0xffffffff81000250ull, 1), "");
	ck_assert_str_eq(a2s(m, 0xffffffff80000000ull, 0), "");
	ck_assert_str_eq(a2s(m, 0xffffffff81000300ull, 0), "");
	kbx_symmap_free(m);
}
END_TEST

START_TEST(test_symmap_kallsyms_unsorted_with_module_column)
{
	struct kbx_symmap *m = parse_map("ffffffffc0002000 t mod_fn\t[mymod]\n"
					 "ffffffffc0001000 t "
					 "mod_init\t[mymod]\n"
					 "ffffffffc0003000 t "
					 "mod_end\t[mymod]\n");

	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(a2s(m, 0xffffffffc0001004ull, 0), "mod_init+0x4/"
							   "0x1000 [mymod]");
	kbx_symmap_free(m);
}
END_TEST

START_TEST(test_symmap_rejects_bad_text_with_line_numbers)
{
	char long_line[5000];

	ck_assert_ptr_null(parse_map(""));
	ck_assert_str_eq(err.msg, "test.map: empty file, not a symbol map");
	ck_assert_ptr_null(parse_map("ffffffff81000000 T ok\nzzzz T bad\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "line 2: no hex address"));
	ck_assert_ptr_null(parse_map("ffffffff81000000 TT x\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no one-letter type"));
	ck_assert_ptr_null(parse_map("ffffffff81000000 T\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no symbol name"));
	ck_assert_ptr_null(parse_map("ffffffff81000000 T x junk\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "unexpected text"));
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	ck_assert_ptr_null(parse_map(long_line));
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than 4096"));
	ck_assert_ptr_null(parse_map("0000000000000000 T a\n"
				     "0000000000000000 T b\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "kptr_restrict"));
	ck_assert_ptr_null(parse_map("ffffffffffffffff B The real System.map "
				     "is in the "
				     "linux-image-6.1.0-9-amd64-dbg "
				     "package\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "in the "
					      "linux-image-6.1.0-9-amd64-dbg "
					      "package"));
}
END_TEST

static struct kbx_symvers *parse_symvers(const char *text)
{
	memset(&err, 0, sizeof(err));
	return kbx_symvers_parse("Module.symvers", (const unsigned char *)text,
				 strlen(text), &err);
}

START_TEST(test_symvers_reads_every_layout)
{
	struct kbx_symvers *sv = parse_symvers(
		"0x00000001\tnew_ns\tvmlinux\tEXPORT_SYMBOL_GPL\tCXL\n"
		"0x00000002\tnew_plain\tvmlinux\tEXPORT_SYMBOL\t\n"
		"0x00000003\told54\tNS54\tdrivers/a\tEXPORT_SYMBOL\n"
		"0x00000004\tclassic\tfs/b\tEXPORT_SYMBOL_GPL\n"
		"0x00000005\tancient\tvmlinux\n");
	const struct kbx_symvers_entry *e;

	ck_assert_ptr_nonnull(sv);
	ck_assert_uint_eq(kbx_symvers_count(sv), 5);
	e = kbx_symvers_find(sv, "new_ns", 6);
	ck_assert_uint_eq(e->crc, 1);
	ck_assert_int_eq(e->ns_len, 3);
	ck_assert_int_eq(kbx_symvers_export_is_gpl(e), 1);
	e = kbx_symvers_find(sv, "new_plain", 9);
	ck_assert_int_eq(e->ns_len, 0);
	ck_assert_int_eq(kbx_symvers_export_is_gpl(e), 0);
	e = kbx_symvers_find(sv, "old54", 5);
	ck_assert_int_eq(memcmp(e->ns, "NS54", 4), 0);
	ck_assert_int_eq(memcmp(e->module, "drivers/a", 9), 0);
	e = kbx_symvers_find(sv, "classic", 7);
	ck_assert_int_eq(memcmp(e->module, "fs/b", 4), 0);
	e = kbx_symvers_find(sv, "ancient", 7);
	ck_assert_int_eq(memcmp(e->export, "EXPORT_SYMBOL", 13), 0);
	ck_assert_ptr_null(kbx_symvers_find(sv, "absent", 6));
	kbx_symvers_free(sv);
}
END_TEST

START_TEST(test_symvers_gpl_future_is_not_gpl_only)
{
	struct kbx_symvers *sv = parse_symvers("0x0\tf\tvmlinux\tEXPORT_SYMBOL_"
					       "GPL_FUTURE\n");

	ck_assert_int_eq(
		kbx_symvers_export_is_gpl(kbx_symvers_find(sv, "f", 1)), 0);
	kbx_symvers_free(sv);
}
END_TEST

START_TEST(test_symvers_rejects_bad_lines)
{
	ck_assert_ptr_null(parse_symvers("0x1\tonly\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "line 1: too few columns"));
	ck_assert_ptr_null(parse_symvers("\nxyz\ts\tvmlinux\tEXPORT_"
					 "SYMBOL\t\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "line 2: bad CRC"));
	ck_assert_ptr_null(parse_symvers("0x1\ts\tvmlinux\tNOT_EXPORT\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no EXPORT_* column"));
	ck_assert_ptr_null(parse_symvers("0x1\ta\tb\tc\td\te\tf\n"));
	ck_assert_ptr_nonnull(strstr(err.msg, "too many columns"));
	ck_assert_ptr_null(parse_symvers("0x1\0garbage"));
}
END_TEST

/* ---- ELF: real objects from the fixtures, damaged in memory ----------- */

static unsigned char *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("KBX_FIXTURES");
	char path[4096];
	unsigned char *buf;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/fixtures",
		 name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc((size_t)st.st_size);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* The ELF64 LE section header of the symbol table. */
static unsigned char *symtab_shdr(unsigned char *elf)
{
	uint64_t shoff = le(elf + 0x28, 8);
	unsigned i, shnum = (unsigned)le(elf + 0x3c, 2);

	for (i = 0; i < shnum; i++) {
		unsigned char *sh = elf + shoff + (uint64_t)i * 64;

		if (le(sh + 4, 4) == 2 /* SHT_SYMTAB */)
			return sh;
	}
	return NULL;
}

START_TEST(test_elf_map_reads_symbols_of_a_real_object)
{
	size_t len;
	unsigned char *elf = read_fixture("le64.o", &len);
	struct kbx_symmap *m;

	ck_assert_ptr_nonnull(elf);
	m = kbx_symmap_parse("le64.o", elf, len, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_ne(lookup(m, "kbx_fixture_func"), "");
	ck_assert_int_eq((int)strlen(lookup(m, "kbx_fixture_func")), 16);
	kbx_symmap_free(m);
	free(elf);
}
END_TEST

START_TEST(test_elf_lying_symtab_size_is_an_error)
{
	size_t len;
	unsigned char *elf = read_fixture("le64.o", &len), *sh;

	ck_assert_ptr_nonnull(elf);
	sh = symtab_shdr(elf);
	ck_assert_ptr_nonnull(sh);
	memset(sh + 32, 0x7f, 8); /* sh_size far beyond the file */
	memset(&err, 0, sizeof(err));
	ck_assert_ptr_null(kbx_symmap_parse("lying.o", elf, len, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "lying.o: damaged ELF"));
	free(elf);
}
END_TEST

START_TEST(test_elf_truncated_anywhere_is_an_error_never_a_crash)
{
	size_t len, cut;
	unsigned char *elf = read_fixture("le64.o", &len);

	ck_assert_ptr_nonnull(elf);
	for (cut = 0; cut < len; cut += 61) {
		unsigned char *copy = malloc(cut ? cut : 1);
		struct kbx_symmap *m;
		struct kbx_ko *ko;

		memcpy(copy, elf, cut);
		m = kbx_symmap_parse("cut.o", copy, cut, &err);
		ck_assert_ptr_null(m);
		ck_assert_str_ne(err.msg, "");
		ko = kbx_ko_parse("cut.ko", copy, cut, &err);
		ck_assert_ptr_null(ko);
		free(copy);
	}
	free(elf);
}
END_TEST

START_TEST(test_ko_reads_modinfo_imports_and_exports_of_real_modules)
{
	size_t len;
	unsigned char *data =
		read_fixture("modules/provider/kbx_provider.ko", &len);
	struct kbx_ko *ko;
	struct kbx_out out;
	size_t i;
	int gpl_seen = 0, ns_seen = 0;

	/* tests/fixtures.sh builds it; make check installs the headers */
	ck_assert_msg(data != NULL, "module fixture missing: run "
				    "tests/fixtures.sh");
	ko = kbx_ko_parse("kbx_provider.ko", data, len, &err);
	ck_assert_ptr_nonnull(ko);
	ck_assert_str_eq(ko->modname, "kbx_provider");
	ck_assert_str_eq(ko->license, "GPL");
	ck_assert_int_eq(ko->has_versions, 1);
	ck_assert_uint_eq(ko->n_exports, 3);
	for (i = 0; i < ko->n_exports; i++) {
		gpl_seen += ko->exports[i].gpl;
		ns_seen += strcmp(ko->exports[i].ns, "KBX_TEST") == 0;
		ck_assert_int_eq(ko->exports[i].has_crc, 1);
	}
	ck_assert_int_eq(gpl_seen, 1);
	ck_assert_int_eq(ns_seen, 1);
	kbx_out_init(&out);
	ck_assert_int_eq(kbx_ko_modinfo(ko, "description", &out), 1);
	ck_assert_str_eq(kbx_out_str(&out), "kbx test provider");
	kbx_out_free(&out);
	kbx_ko_free(ko);
	free(data);
}
END_TEST

START_TEST(test_ko_rejects_an_executable)
{
	size_t len;
	unsigned char *data = read_fixture("host.elf", &len);

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_null(kbx_ko_parse("host.elf", data, len, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "not a kernel module"));
	free(data);
}
END_TEST

START_TEST(test_license_table_matches_license_h)
{
	ck_assert_int_eq(kbx_license_is_gpl_compatible("GPL"), 1);
	ck_assert_int_eq(kbx_license_is_gpl_compatible("Dual MIT/GPL"), 1);
	ck_assert_int_eq(kbx_license_is_gpl_compatible("MIT"), 0);
	ck_assert_int_eq(kbx_license_is_gpl_compatible("Proprietary"), 0);
	ck_assert_int_eq(kbx_license_is_gpl_compatible(""), 0);
}
END_TEST

/* ---- the per-process index ------------------------------------------- */

START_TEST(test_index_is_reused_until_the_file_changes)
{
	char path[] = "/tmp/kbx-unit-XXXXXX";
	int fd = mkstemp(path);
	struct kbx_symmap *a, *b;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("ffffffff81000000 T one\nffffffff81000010 T two\n", f);
	fclose(f);
	a = kbx_symmap_get(path, &err);
	b = kbx_symmap_get(path, &err);
	ck_assert_ptr_eq(a, b);
	f = fopen(path, "a");
	fputs("ffffffff81000020 T three\n", f);
	fclose(f);
	b = kbx_symmap_get(path, &err);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(lookup(b, "three"), "ffffffff81000020");
	unlink(path);
	ck_assert_ptr_null(kbx_symmap_get(path, &err));
	kbx_index_drop_all();
}
END_TEST

START_TEST(test_decode_annotates_text_addresses_only)
{
	struct kbx_symmap *m = parse_map(map_text);
	int in[2], outp[2];
	char buf[512] = { 0 };
	static const char oops[] = "RIP: 0010:[<ffffffff81000104>] x\n"
				   "RAX: ffffffff81000204 RBX: "
				   "0000000000000000\n";
	ssize_t n;

	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(outp), 0);
	ck_assert_int_eq(write(in[1], oops, sizeof(oops) - 1),
			 (ssize_t)sizeof(oops) - 1);
	close(in[1]);
	ck_assert_int_eq(kbx_decode_stream(m, in[0], outp[1], &err), 0);
	close(outp[1]);
	n = read(outp[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "RIP: 0010:[<ffffffff81000104>] "
			      "(start_kernel+0x4/0x100) x\n"
			      "RAX: ffffffff81000204 RBX: 0000000000000000\n");
	close(in[0]);
	close(outp[0]);
	kbx_symmap_free(m);
}
END_TEST

static Suite *kbx_suite(void)
{
	Suite *s = suite_create("kbx");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_parse_hex_accepts_both_forms_and_rejects_junk);
	tcase_add_test(t, test_symmap_lookup_first_line_wins_and_keeps_width);
	tcase_add_test(
		t,
		test_symmap_addr2sym_uses_first_alias_and_next_higher_address);
	tcase_add_test(t, test_symmap_kallsyms_unsorted_with_module_column);
	tcase_add_test(t, test_symmap_rejects_bad_text_with_line_numbers);
	tcase_add_test(t, test_symvers_reads_every_layout);
	tcase_add_test(t, test_symvers_gpl_future_is_not_gpl_only);
	tcase_add_test(t, test_symvers_rejects_bad_lines);
	tcase_add_test(t, test_elf_map_reads_symbols_of_a_real_object);
	tcase_add_test(t, test_elf_lying_symtab_size_is_an_error);
	tcase_add_test(t,
		       test_elf_truncated_anywhere_is_an_error_never_a_crash);
	tcase_add_test(
		t, test_ko_reads_modinfo_imports_and_exports_of_real_modules);
	tcase_add_test(t, test_ko_rejects_an_executable);
	tcase_add_test(t, test_license_table_matches_license_h);
	tcase_add_test(t, test_index_is_reused_until_the_file_changes);
	tcase_add_test(t, test_decode_annotates_text_addresses_only);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kbx_suite());
	int run, failed;

	srunner_add_suite(sr, artifact_suite());
	srunner_add_suite(sr, toolchain_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	kbx_index_drop_all();
	printf("unit: %d passed, %d failed, 0 skipped\n", run - failed, failed);
	return failed ? 1 : 0;
}
