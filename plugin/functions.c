/* The table of kbx functions: Make registers "kbx-NAME" from it and the
 * CLI dispatches "kbx NAME" from it, so a function is written once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kbx.h"

#define MAX_SYMVERS 64

static int fn_sym(unsigned argc, char **argv, struct kbx_out *out,
		  struct kbx_err *err)
{
	struct kbx_symmap *m = kbx_symmap_get(argv[0], err);

	(void)argc;
	if (!m)
		return -1;
	kbx_symmap_lookup(m, argv[1], out);
	return 0;
}

static int fn_addr2sym(unsigned argc, char **argv, struct kbx_out *out,
		       struct kbx_err *err)
{
	struct kbx_symmap *m;
	uint64_t addr;

	(void)argc;
	if (kbx_parse_hex(argv[1], strlen(argv[1]), &addr))
		return kbx_fail(err, NULL, "'%s' is not a hex address",
				argv[1]);
	m = kbx_symmap_get(argv[0], err);
	if (!m)
		return -1;
	kbx_symmap_addr2sym(m, addr, out);
	return 0;
}

static void put_symvers_field(const struct kbx_symvers_entry *e,
			      const char *field, struct kbx_out *out)
{
	if (strcmp(field, "crc") == 0)
		kbx_out_printf(out, "0x%08x", e->crc);
	else if (strcmp(field, "module") == 0)
		kbx_out_put(out, e->module, e->module_len);
	else if (strcmp(field, "export") == 0)
		kbx_out_put(out, e->export, e->export_len);
	else if (strcmp(field, "namespace") == 0)
		kbx_out_put(out, e->ns, e->ns_len);
}

static int fn_symvers(unsigned argc, char **argv, struct kbx_out *out,
		      struct kbx_err *err)
{
	static const char *const fields[] = { "crc", "module", "export",
					      "namespace", NULL };
	const char *field = argc > 2 && argv[2][0] ? argv[2] : NULL;
	const struct kbx_symvers_entry *e;
	struct kbx_symvers *sv;
	size_t i;

	if (field) {
		for (i = 0; fields[i] && strcmp(fields[i], field); i++)
			;
		if (!fields[i])
			return kbx_fail(err, NULL,
					"unknown field '%s' (crc, module, "
					"export or namespace)",
					field);
	}
	sv = kbx_symvers_get(argv[0], err);
	if (!sv)
		return -1;
	e = kbx_symvers_find(sv, argv[1], strlen(argv[1]));
	if (!e)
		return 0;
	if (field) {
		put_symvers_field(e, field, out);
		return 0;
	}
	for (i = 0; fields[i]; i++) {
		struct kbx_out word;

		kbx_out_init(&word);
		put_symvers_field(e, fields[i], &word);
		if (word.len)
			kbx_out_word(out, word.buf, word.len);
		kbx_out_free(&word);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names sorted, as `nm -u` and `nm --defined-only` list them. */
static int put_sorted_names(const char **names, size_t n, struct kbx_out *out,
			    const char *path, struct kbx_err *err)
{
	size_t i;

	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		kbx_out_word(out, names[i], strlen(names[i]));
	free(names);
	return out->oom ? kbx_fail(err, path, "out of memory") : 0;
}

static int fn_ko_undefined(unsigned argc, char **argv, struct kbx_out *out,
			   struct kbx_err *err)
{
	struct kbx_ko *ko = kbx_ko_get(argv[0], err);
	const char **names;
	size_t i;

	(void)argc;
	if (!ko)
		return -1;
	names = malloc((ko->n_imports + 1) * sizeof(*names));
	if (!names)
		return kbx_fail(err, argv[0], "out of memory");
	for (i = 0; i < ko->n_imports; i++)
		names[i] = ko->imports[i].name;
	return put_sorted_names(names, ko->n_imports, out, argv[0], err);
}

static int fn_ko_exports(unsigned argc, char **argv, struct kbx_out *out,
			 struct kbx_err *err)
{
	struct kbx_ko *ko = kbx_ko_get(argv[0], err);
	const char **names;
	size_t i;

	(void)argc;
	if (!ko)
		return -1;
	names = malloc((ko->n_exports + 1) * sizeof(*names));
	if (!names)
		return kbx_fail(err, argv[0], "out of memory");
	for (i = 0; i < ko->n_exports; i++)
		names[i] = ko->exports[i].name;
	return put_sorted_names(names, ko->n_exports, out, argv[0], err);
}

static void problem_to_word(void *ctx, const struct kbx_problem *p)
{
	kbx_problem_word(p, ctx);
}

/* Splits a word list in place: "a b  c" -> {a, b, c}. */
static size_t split_words(char *s, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(s, " \t\n", &save); w && n < max;
	     w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	return n;
}

static int fn_ko_unresolved(unsigned argc, char **argv, struct kbx_out *out,
			    struct kbx_err *err)
{
	struct kbx_symvers *sv[MAX_SYMVERS];
	char *files[MAX_SYMVERS + 1];
	struct kbx_ko *ko;
	size_t n, i;

	(void)argc;
	n = split_words(argv[1], files, MAX_SYMVERS + 1);
	if (n == 0)
		return kbx_fail(err, NULL, "no Module.symvers given");
	if (n > MAX_SYMVERS)
		return kbx_fail(err, NULL, "more than %d Module.symvers files",
				MAX_SYMVERS);
	for (i = 0; i < n; i++) {
		sv[i] = kbx_symvers_get(files[i], err);
		if (!sv[i])
			return -1;
	}
	/* After the symvers: their cache entries stay valid while we hold
	 * the module's, since each path keeps its own entry. */
	ko = kbx_ko_get(argv[0], err);
	if (!ko)
		return -1;
	kbx_ko_check_imports(ko, sv, n, problem_to_word, out);
	return 0;
}

/* $(kbx-modules-check KO|DIR...,SYMVERS...[,RELEASE]): check-modules for
 * Make: one line per problem, nothing when every module is clean. */
static int fn_modules_check(unsigned argc, char **argv, struct kbx_out *out,
			    struct kbx_err *err)
{
	struct kbx_check_opts opts = { .jobs = 1 };
	size_t max = strlen(argv[0]) / 2 + strlen(argv[1]) / 2 + 2;
	char **paths = calloc(max, sizeof(*paths));
	const char **symvers = calloc(max, sizeof(*symvers));
	char *copy = strdup(argv[1]);
	size_t n_paths;
	int rc = -1;

	if (!paths || !symvers || !copy) {
		kbx_fail(err, NULL, "out of memory");
		goto out;
	}
	n_paths = split_words(argv[0], paths, max);
	opts.n_symvers = split_words(copy, (char **)symvers, max);
	opts.symvers = symvers;
	opts.release = argc > 2 && argv[2][0] ? argv[2] : NULL;
	if (!n_paths || !opts.n_symvers) {
		kbx_fail(err, NULL, "%s",
			 n_paths ? "no Module.symvers given"
				 : "no module given");
		goto out;
	}
	rc = kbx_check_modules(&opts, paths, n_paths, out, err) < 0 ? -1 : 0;
	/* lines between problems, none after the last (Make's convention) */
	while (out->len && out->buf[out->len - 1] == '\n')
		out->buf[--out->len] = '\0';
out:
	free(paths);
	free(symvers);
	free(copy);
	return rc;
}

/* ---- artifacts ------------------------------------------------------------ */

/* A mapped and parsed artifact, released by artifact_close. */
struct artifact {
	struct kbx_map map;
	struct kbx_image img;
};

static int artifact_open(const char *path, struct artifact *a,
			 struct kbx_err *err)
{
	memset(a, 0, sizeof(*a));
	if (kbx_map_file(path, &a->map, err))
		return -1;
	if (kbx_image_parse(path, a->map.data, a->map.len, &a->img, err)) {
		kbx_unmap_file(&a->map);
		return -1;
	}
	return 0;
}

static void artifact_close(struct artifact *a)
{
	kbx_unmap_file(&a->map);
}

static int fn_identify(unsigned argc, char **argv, struct kbx_out *out,
		       struct kbx_err *err)
{
	struct kbx_map map;
	struct stat st;

	(void)argc;
	if (stat(argv[0], &st) != 0) {
		kbx_out_puts(out, "missing");
		return 0;
	}
	if (!S_ISREG(st.st_mode) || kbx_map_file(argv[0], &map, err)) {
		kbx_out_puts(out, "unknown");
		return 0;
	}
	kbx_out_puts(out, kbx_format_name(kbx_identify(map.data, map.len)));
	kbx_unmap_file(&map);
	return 0;
}

static int fn_image(unsigned argc, char **argv, struct kbx_out *out,
		    struct kbx_err *err)
{
	struct artifact a;
	int rc;

	(void)argc;
	if (artifact_open(argv[0], &a, err))
		return -1;
	rc = kbx_image_field(&a.img, argv[1], out, err);
	artifact_close(&a);
	return rc;
}

/* A release or a verdict may cost inflating a whole kernel: each is
 * worked out once per process and version of the file, like an index. */
static void *release_load(const char *path, struct kbx_err *err)
{
	struct artifact a;
	struct kbx_out out;
	char *s = NULL;

	if (artifact_open(path, &a, err))
		return NULL;
	kbx_out_init(&out);
	if (kbx_image_release(&a.img, &out, err) == 0) {
		s = strdup(kbx_out_str(&out));
		if (!s || out.oom)
			kbx_fail(err, path, "out of memory");
	}
	kbx_out_free(&out);
	artifact_close(&a);
	return s;
}

static void *verdict_load(const char *path, struct kbx_err *err)
{
	struct kbx_err problem = { { 0 } };
	struct artifact a;
	char *s;

	if (artifact_open(path, &a, &problem) == 0) {
		kbx_image_verify(&a.img, NULL, &problem);
		artifact_close(&a);
	}
	s = strdup(problem.msg);
	if (!s)
		kbx_fail(err, path, "out of memory");
	return s;
}

/* Reports rather than fails: the problem is the expansion. */
static int fn_verify(unsigned argc, char **argv, struct kbx_out *out,
		     struct kbx_err *err)
{
	struct kbx_err problem = { { 0 } };
	const char *verdict;
	struct artifact a;

	(void)err;
	verdict = kbx_index_get(argv[0], KBX_INDEX_VERIFY, verdict_load, free,
				&problem);
	if (verdict && !*verdict && argc > 1 && *argv[1] &&
	    artifact_open(argv[0], &a, &problem) == 0) {
		kbx_image_check_arch(&a.img, argv[1], &problem);
		artifact_close(&a);
	}
	kbx_out_puts(out, verdict && *verdict ? verdict : problem.msg);
	return 0;
}

static int fn_release(unsigned argc, char **argv, struct kbx_out *out,
		      struct kbx_err *err)
{
	const char *release;
	struct stat st;

	(void)argc;
	if (stat(argv[0], &st) == 0 && S_ISDIR(st.st_mode))
		return kbx_dir_release(argv[0], out, err);
	release = kbx_index_get(argv[0], KBX_INDEX_RELEASE, release_load, free,
				err);
	if (!release)
		return -1;
	kbx_out_puts(out, release);
	return 0;
}

static int fn_dtb(unsigned argc, char **argv, struct kbx_out *out,
		  struct kbx_err *err)
{
	struct kbx_map map;
	int rc;

	(void)argc;
	if (kbx_map_file(argv[0], &map, err))
		return -1;
	rc = kbx_dtb_get(argv[0], map.data, map.len, argv[1], argv[2], out,
			 err);
	kbx_unmap_file(&map);
	return rc;
}

static int put_signature_key(const char *path, const unsigned char *data,
			     size_t len, const char *key, struct kbx_out *out,
			     struct kbx_err *err)
{
	struct kbx_modsig sig;

	if (kbx_modsig_read(path, data, len, &sig, err))
		return -1;
	if (strcmp(key, "signed") == 0)
		kbx_out_puts(out, sig.signed_ ? "yes" : "no");
	else if (!sig.signed_)
		return 0;
	else if (strcmp(key, "signer") == 0)
		kbx_out_puts(out, sig.signer);
	else if (strcmp(key, "sig_key") == 0)
		kbx_out_puts(out, sig.key);
	else if (strcmp(key, "sig_hashalgo") == 0)
		kbx_out_puts(out, sig.hashalgo);
	else if (strcmp(key, "sig_id") == 0)
		kbx_out_puts(out, "PKCS#7");
	return 0;
}

static int is_signature_key(const char *key)
{
	return !strcmp(key, "signed") || !strcmp(key, "signer") ||
	       !strcmp(key, "sig_key") || !strcmp(key, "sig_hashalgo") ||
	       !strcmp(key, "sig_id");
}

/* A .ko, or a .ko.gz/.ko.xz/.ko.zst inflated first (signed before it was
 * compressed, so the signature is inside). */
static int fn_modinfo(unsigned argc, char **argv, struct kbx_out *out,
		      struct kbx_err *err)
{
	struct kbx_inflate raw = { NULL, 0, 0, 0 };
	struct kbx_map map;
	const unsigned char *data;
	size_t len;
	enum kbx_comp comp;
	int rc = -1;

	(void)argc;
	if (kbx_map_file(argv[0], &map, err))
		return -1;
	data = map.data;
	len = map.len;
	comp = kbx_comp_sniff(data, len);
	if (comp != KBX_COMP_NONE) {
		if (kbx_decompress(comp, data, len, 1u << 28, NULL, NULL, &raw,
				   argv[0], err))
			goto out;
		data = raw.buf;
		len = raw.len;
	}
	if (is_signature_key(argv[1])) {
		rc = put_signature_key(argv[0], data, len, argv[1], out, err);
	} else {
		struct kbx_modsig sig;
		struct kbx_ko *ko;

		if (kbx_modsig_read(argv[0], data, len, &sig, err))
			goto out;
		ko = kbx_ko_parse(argv[0], data, sig.elf_len, err);
		if (!ko)
			goto out;
		if (!ko->has_modinfo)
			kbx_fail(err, argv[0],
				 "no .modinfo section: not a "
				 "kernel module");
		else {
			kbx_ko_modinfo(ko, argv[1], out);
			rc = 0;
		}
		kbx_ko_free(ko);
	}
out:
	kbx_inflate_free(&raw);
	kbx_unmap_file(&map);
	return rc;
}

static int fn_kconfig(unsigned argc, char **argv, struct kbx_out *out,
		      struct kbx_err *err)
{
	(void)argc;
	return kbx_kconfig_get(argv[0], argv[1], out, err);
}

/* The artifact table as text: for $(info) in kernel-info. */
static int fn_report(unsigned argc, char **argv, struct kbx_out *out,
		     struct kbx_err *err)
{
	char *copy = strdup(argv[0]), **files;
	size_t n, max = strlen(argv[0]) / 2 + 1;
	int rc = -1;

	(void)argc;
	files = calloc(max, sizeof(*files));
	if (copy && files) {
		n = split_words(copy, files, max);
		rc = kbx_report_text(files, n, out, err) < 0 ? -1 : 0;
	} else {
		kbx_fail(err, NULL, "out of memory");
	}
	free(copy);
	free(files);
	return rc;
}

static int fn_kconfig_audit(unsigned argc, char **argv, struct kbx_out *out,
			    struct kbx_err *err)
{
	char *copy = strdup(argv[1]), **frags;
	size_t n, max = strlen(argv[1]) / 2 + 1;
	int rc = -1;

	(void)argc;
	frags = calloc(max, sizeof(*frags));
	if (copy && frags) {
		n = split_words(copy, frags, max);
		rc = kbx_kconfig_audit(argv[0], frags, n, out, err);
	} else {
		kbx_fail(err, NULL, "out of memory");
	}
	free(copy);
	free(frags);
	return rc;
}

/* ---- toolchain probing ------------------------------------------------------ */

static int fn_cc(unsigned argc, char **argv, struct kbx_out *out,
		 struct kbx_err *err)
{
	(void)argc;
	return kbx_cc_field(argv[0], argv[1], out, err);
}

static int fn_cross(unsigned argc, char **argv, struct kbx_out *out,
		    struct kbx_err *err)
{
	(void)argc;
	return kbx_cross(argv[0], out, err);
}

static int fn_cc_option(unsigned argc, char **argv, struct kbx_out *out,
			struct kbx_err *err)
{
	int ok;

	if (kbx_cc_option(argv[0], argv[1], &ok, err))
		return -1;
	kbx_out_puts(out, ok ? argv[1] : argc > 2 ? argv[2] : "");
	return 0;
}

static int fn_cc_options(unsigned argc, char **argv, struct kbx_out *out,
			 struct kbx_err *err)
{
	char *copy = strdup(argv[1]), **flags;
	size_t n, i, max = strlen(argv[1]) / 2 + 1;
	int *ok, rc = -1;

	(void)argc;
	flags = calloc(max, sizeof(*flags));
	ok = calloc(max, sizeof(*ok));
	if (copy && flags && ok) {
		n = split_words(copy, flags, max);
		rc = kbx_cc_options(argv[0], flags, n, ok, err);
		for (i = 0; rc == 0 && i < n; i++)
			if (ok[i])
				kbx_out_word(out, flags[i], strlen(flags[i]));
	} else {
		kbx_fail(err, NULL, "out of memory");
	}
	free(copy);
	free(flags);
	free(ok);
	return rc;
}

static int fn_cc_disable_warning(unsigned argc, char **argv,
				 struct kbx_out *out, struct kbx_err *err)
{
	char flag[512];
	int ok;

	(void)argc;
	snprintf(flag, sizeof(flag), "-W%s", argv[1]);
	if (kbx_cc_option(argv[0], flag, &ok, err))
		return -1;
	if (ok)
		kbx_out_printf(out, "-Wno-%s", argv[1]);
	return 0;
}

static int fn_ld_option(unsigned argc, char **argv, struct kbx_out *out,
			struct kbx_err *err)
{
	int ok;

	if (kbx_ld_option(argv[0], argv[1], &ok, err))
		return -1;
	kbx_out_puts(out, ok ? argv[1] : argc > 2 ? argv[2] : "");
	return 0;
}

static int fn_kbuild_try_run(unsigned argc, char **argv, struct kbx_out *out,
			     struct kbx_err *err)
{
	(void)argc;
	if (kbx_kbuild_try_run(argv[0], argv[1], argv[2], argv[3], out))
		return kbx_fail(err, NULL, "cannot run sh for a Kbuild probe");
	return 0;
}

static int fn_as_instr(unsigned argc, char **argv, struct kbx_out *out,
		       struct kbx_err *err)
{
	int ok;

	if (kbx_as_instr(argv[0], argv[1], &ok, err))
		return -1;
	kbx_out_puts(out, ok ? (argc > 2 ? argv[2] : "")
			     : (argc > 3 ? argv[3] : ""));
	return 0;
}

static int fn_tools(unsigned argc, char **argv, struct kbx_out *out,
		    struct kbx_err *err)
{
	(void)err;
	return kbx_tools_missing(argv[0], argc > 1 ? argv[1] : NULL, out);
}

const struct kbx_function kbx_functions[] = {
	{ "sym", 2, 2, fn_sym, "MAP,SYMBOL", 0 },
	{ "addr2sym", 2, 2, fn_addr2sym, "MAP,ADDR", 0 },
	{ "symvers", 2, 3, fn_symvers, "SYMVERS,SYMBOL[,FIELD]", 0 },
	{ "ko-undefined", 1, 1, fn_ko_undefined, "KO", 0 },
	{ "ko-exports", 1, 1, fn_ko_exports, "KO", 0 },
	{ "ko-unresolved", 2, 2, fn_ko_unresolved, "KO,SYMVERS...", 0 },
	{ "modules-check", 2, 3, fn_modules_check,
	  "KO|DIR...,SYMVERS...[,RELEASE]", KBX_FN_REPORTS },
	{ "identify", 1, 1, fn_identify, "FILE", 0 },
	{ "image", 2, 2, fn_image, "FILE,FIELD", 0 },
	{ "verify", 1, 2, fn_verify, "FILE[,ARCH]", KBX_FN_REPORTS },
	{ "release", 1, 1, fn_release, "FILE|DIR", 0 },
	{ "dtb", 3, 3, fn_dtb, "DTB,NODE,PROP", 0 },
	{ "modinfo", 2, 2, fn_modinfo, "KO,KEY", 0 },
	{ "kconfig", 2, 2, fn_kconfig, "FILE,OPTION", 0 },
	{ "cc", 2, 2, fn_cc, "CC,FIELD", 0 },
	{ "cross", 1, 1, fn_cross, "ARCH", 0 },
	{ "cc-option", 2, 3, fn_cc_option, "CC,FLAGS[,ALT]", 0 },
	{ "cc-options", 2, 2, fn_cc_options, "CC,FLAG...", 0 },
	{ "cc-disable-warning", 2, 2, fn_cc_disable_warning, "CC,WARNING", 0 },
	{ "ld-option", 2, 3, fn_ld_option, "LD,FLAGS[,ALT]", 0 },
	{ "as-instr", 2, 4, fn_as_instr, "CC,INSTR[,YES[,NO]]", 0 },
	{ "tools", 1, 2, fn_tools, "PREFIX[,TOOLS]", 0 },
	{ "report", 1, 1, fn_report, "FILE...", 0 },
	{ "kbuild-try-run", 4, 4, fn_kbuild_try_run, "CMD,YES,NO,TMPOUT",
	  KBX_FN_RAW },
	{ "kconfig-audit", 2, 2, fn_kconfig_audit, "CONFIG,FRAGMENT...", 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

const struct kbx_function *kbx_function_find(const char *name)
{
	const struct kbx_function *f;

	for (f = kbx_functions; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
