/* The kbx command: every Make function as a verb, plus check-modules and
 * decode. Exit 0 for a value, 1 for an empty answer or a problem, 2 for an
 * error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbx.h"

enum { EXIT_VALUE = 0, EXIT_EMPTY = 1, EXIT_ERROR = 2 };

static void usage(FILE *f)
{
	const struct kbx_function *fn;

	fputs("usage: kbx VERB ARG...\n\nverbs (each as the Make function "
	      "$(kbx-VERB ...)):\n",
	      f);
	for (fn = kbx_functions; fn->name; fn++)
		fprintf(f, "  kbx %-14s %s\n", fn->name, fn->usage);
	fputs("  kbx report         FILE...\n"
	      "  kbx cache          stats|clear\n"
	      "  kbx decode         MAP < oops.txt\n"
	      "  kbx check-modules  [-j N] --symvers F... [--release R] "
	      "DIR|KO...\n",
	      f);
}

static int fail(const char *verb, const struct kbx_err *err)
{
	fprintf(stderr, "kbx %s: %s\n", verb, err->msg);
	return EXIT_ERROR;
}

/* Words beyond the last parameter join it, as Make folds extra commas. */
static char *join_words(char **argv, int argc)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int run_function(const struct kbx_function *f, int argc, char **argv)
{
	struct kbx_err err = { { 0 } };
	char *args[256], *joined = NULL;
	struct kbx_out out;
	unsigned n = (unsigned)argc;
	int rc;

	if (n < f->min_args || n > 255) {
		fprintf(stderr, "usage: kbx %s %s\n", f->name, f->usage);
		return EXIT_ERROR;
	}
	memcpy(args, argv, n * sizeof(*args));
	if (f->max_args && n > f->max_args) {
		joined = join_words(argv + f->max_args - 1,
				    argc - (int)f->max_args + 1);
		if (!joined)
			return EXIT_ERROR;
		args[f->max_args - 1] = joined;
		n = f->max_args;
	}
	kbx_out_init(&out);
	rc = f->fn(n, args, &out, &err);
	free(joined);
	if (rc == 0 && out.oom)
		rc = kbx_fail(&err, NULL, "out of memory");
	if (rc) {
		kbx_out_free(&out);
		return fail(f->name, &err);
	}
	if (out.len)
		printf("%s\n", kbx_out_str(&out));
	if (f->flags & KBX_FN_REPORTS)
		rc = out.len ? EXIT_EMPTY : EXIT_VALUE;
	else
		rc = out.len ? EXIT_VALUE : EXIT_EMPTY;
	kbx_out_free(&out);
	return rc;
}

static int run_decode(int argc, char **argv)
{
	struct kbx_err err = { { 0 } };
	struct kbx_symmap *map;

	if (argc != 1) {
		fputs("usage: kbx decode MAP < oops.txt\n", stderr);
		return EXIT_ERROR;
	}
	map = kbx_symmap_get(argv[0], &err);
	if (!map || kbx_decode_stream(map, 0, 1, &err))
		return fail("decode", &err);
	return EXIT_VALUE;
}

/* "--symvers F... DIR|KO...": the symvers list ends at the first
 * directory or .ko, the operands check-modules works on. */
static int is_module_operand(const char *a)
{
	size_t n = strlen(a);
	struct stat st;

	if (n >= 3 && strcmp(a + n - 3, ".ko") == 0)
		return 1;
	return stat(a, &st) == 0 && S_ISDIR(st.st_mode);
}

static int check_usage(void)
{
	fputs("usage: kbx check-modules [-j N] --symvers FILE... "
	      "[--release R] [-v] DIR|KO...\n",
	      stderr);
	return EXIT_ERROR;
}

static int run_check_modules(int argc, char **argv)
{
	struct kbx_check_opts opts = { .jobs = 1, .summary = 1 };
	struct kbx_out out;
	const char **symvers = calloc((size_t)argc + 1, sizeof(*symvers));
	char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	struct kbx_err err = { { 0 } };
	size_t n_paths = 0;
	int i, in_symvers = 0, rc;

	if (!symvers || !paths)
		return EXIT_ERROR;
	opts.symvers = symvers;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--symvers") == 0) {
			in_symvers = 1;
		} else if (strcmp(a, "-j") == 0 && i + 1 < argc) {
			opts.jobs = (unsigned)atoi(argv[++i]);
			in_symvers = 0;
		} else if (strncmp(a, "-j", 2) == 0 && a[2]) {
			opts.jobs = (unsigned)atoi(a + 2);
			in_symvers = 0;
		} else if (strcmp(a, "--release") == 0 && i + 1 < argc) {
			opts.release = argv[++i];
			in_symvers = 0;
		} else if (strcmp(a, "-v") == 0) {
			opts.verbose = 1;
			in_symvers = 0;
		} else if (strcmp(a, "--") == 0) {
			in_symvers = 0;
		} else if (a[0] == '-') {
			free(symvers);
			free(paths);
			return check_usage();
		} else if (in_symvers && !is_module_operand(a)) {
			symvers[opts.n_symvers++] = a;
		} else {
			paths[n_paths++] = argv[i];
		}
	}
	if (!opts.n_symvers || !n_paths || opts.jobs < 1) {
		free(symvers);
		free(paths);
		return check_usage();
	}
	kbx_out_init(&out);
	rc = kbx_check_modules(&opts, paths, n_paths, &out, &err);
	fputs(kbx_out_str(&out), stdout);
	kbx_out_free(&out);
	free(symvers);
	free(paths);
	if (rc < 0)
		return fail("check-modules", &err);
	return rc ? EXIT_EMPTY : EXIT_VALUE;
}

static int run_cache(int argc, char **argv)
{
	struct kbx_err err = { { 0 } };
	struct kbx_out out;
	int rc;

	if (argc != 1 || (strcmp(argv[0], "stats") && strcmp(argv[0], "clea"
								      "r"))) {
		fputs("usage: kbx cache stats|clear\n", stderr);
		return EXIT_ERROR;
	}
	kbx_out_init(&out);
	rc = strcmp(argv[0], "stats") == 0 ? kbx_cache_stats(&out, &err)
					   : kbx_cache_clear(&out, &err);
	if (rc == 0)
		printf("%s\n", kbx_out_str(&out));
	kbx_out_free(&out);
	return rc ? fail("cache", &err) : EXIT_VALUE;
}

static int run_report(int argc, char **argv)
{
	struct kbx_err err = { { 0 } };
	int rc;

	if (argc < 1) {
		fputs("usage: kbx report FILE...\n", stderr);
		return EXIT_ERROR;
	}
	fflush(stdout);
	rc = kbx_report(argv, (size_t)argc, 1, &err);
	if (rc < 0)
		return fail("report", &err);
	return rc ? EXIT_EMPTY : EXIT_VALUE;
}

int main(int argc, char **argv)
{
	const struct kbx_function *f;
	const char *verb;

	atexit(kbx_cache_flush_stats);
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	verb = argv[1];
	if (strncmp(verb, "kbx-", 4) == 0)
		verb += 4;
	if (!strcmp(verb, "help") || !strcmp(verb, "--help") ||
	    !strcmp(verb, "-h")) {
		usage(stdout);
		return EXIT_VALUE;
	}
	if (!strcmp(verb, "decode"))
		return run_decode(argc - 2, argv + 2);
	if (!strcmp(verb, "cache"))
		return run_cache(argc - 2, argv + 2);
	if (!strcmp(verb, "report"))
		return run_report(argc - 2, argv + 2);
	if (!strcmp(verb, "check-modules"))
		return run_check_modules(argc - 2, argv + 2);
	f = kbx_function_find(verb);
	if (!f) {
		fprintf(stderr,
			"kbx: unknown verb '%s' (kbx help lists them)\n", verb);
		return EXIT_ERROR;
	}
	return run_function(f, argc - 2, argv + 2);
}
