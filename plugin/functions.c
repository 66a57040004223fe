/* The table of kbx functions: Make registers "kbx-NAME" from it and the
 * CLI dispatches "kbx NAME" from it, so a function is written once. */
#include <stdlib.h>
#include <string.h>

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

const struct kbx_function kbx_functions[] = {
	{ "sym", 2, 2, fn_sym, "MAP,SYMBOL" },
	{ "addr2sym", 2, 2, fn_addr2sym, "MAP,ADDR" },
	{ "symvers", 2, 3, fn_symvers, "SYMVERS,SYMBOL[,FIELD]" },
	{ "ko-undefined", 1, 1, fn_ko_undefined, "KO" },
	{ "ko-exports", 1, 1, fn_ko_exports, "KO" },
	{ "ko-unresolved", 2, 2, fn_ko_unresolved, "KO,SYMVERS..." },
	{ NULL, 0, 0, NULL, NULL },
};

const struct kbx_function *kbx_function_find(const char *name)
{
	const struct kbx_function *f;

	for (f = kbx_functions; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
