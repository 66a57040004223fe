/* Compiler probes with Kbuild's exact semantics (scripts/Makefile.compiler:
 * try-run, cc-option, cc-disable-warning, ld-option, as-instr), answered
 * from a per-process memo, then the persistent cache, then a real run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbx.h"

/* ---- answers: the process memo in front of the persistent cache ---------- */

#define MEMO_BUCKETS 256

struct memo {
	char *key, *value;
	struct memo *next;
};

static struct memo *memo[MEMO_BUCKETS];

static struct memo **memo_slot(const char *key)
{
	return &memo[kbx_name_hash(key, strlen(key)) % MEMO_BUCKETS];
}

static void memo_store(const char *key, const char *value)
{
	struct memo *m = calloc(1, sizeof(*m)), **slot = memo_slot(key);

	if (!m || !(m->key = strdup(key)) || !(m->value = strdup(value))) {
		if (m)
			free(m->key);
		free(m);
		return;
	}
	m->next = *slot;
	*slot = m;
}

int kbx_answer_get(const char *key, char **value)
{
	struct memo *m;

	for (m = *memo_slot(key); m; m = m->next)
		if (strcmp(m->key, key) == 0) {
			*value = strdup(m->value);
			return *value != NULL;
		}
	if (kbx_cache_get(key, value)) {
		memo_store(key, *value);
		return 1;
	}
	return 0;
}

void kbx_answer_put(const char *key, const char *value)
{
	memo_store(key, value);
	if (!strchr(key, '\n'))
		kbx_cache_put(key, value);
}

void kbx_answers_drop(void)
{
	size_t i;

	for (i = 0; i < MEMO_BUCKETS; i++)
		while (memo[i]) {
			struct memo *m = memo[i];

			memo[i] = m->next;
			free(m->key);
			free(m->value);
			free(m);
		}
}

unsigned kbx_probe_timeout_ms(void)
{
	const char *s = getenv("KBX_PROBE_TIMEOUT");
	long secs = s ? strtol(s, NULL, 10) : 0;

	return (unsigned)(secs > 0 && secs < 3600 ? secs : 60) * 1000u;
}

/* ---- try-run ------------------------------------------------------------- */

/* Kbuild's $(TMPOUT)/tmp: one scratch directory per process. */
static char tmp_dir[256];

static void remove_tmp(void)
{
	char path[300];

	if (!tmp_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/tmp", tmp_dir);
	unlink(path);
	rmdir(tmp_dir);
	tmp_dir[0] = '\0';
}

static const char *tmp_output(struct kbx_err *err)
{
	static char path[300];

	if (!tmp_dir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmp_dir, sizeof(tmp_dir), "%s/kbx-XXXXXX",
			 base && *base ? base : "/tmp");
		if (!mkdtemp(tmp_dir)) {
			kbx_fail(err, tmp_dir, "%s", strerror(errno));
			tmp_dir[0] = '\0';
			return NULL;
		}
		atexit(remove_tmp);
	}
	snprintf(path, sizeof(path), "%s/tmp", tmp_dir);
	return path;
}

/* A relative path in the flags makes the answer depend on where make runs. */
static int mentions_relative_path(char *const *args, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(args[i], '/') && !strstr(args[i], "=/") &&
		    args[i][0] != '/' && strcmp(args[i], "@TMP@") != 0)
			return 1;
	return 0;
}

static int probe_key(struct kbx_tool *t, int compiler, const char *kind,
		     char *const *args, size_t n, const char *input,
		     struct kbx_out *key, struct kbx_err *err)
{
	char cwd[4096];
	size_t i;

	kbx_out_puts(key, kind);
	kbx_out_puts(key, "\x1f");
	kbx_tool_command(t, key);
	kbx_out_puts(key, "\x1f");
	for (i = 0; i < n; i++)
		kbx_out_word(key, args[i], strlen(args[i]));
	kbx_out_puts(key, "\x1f");
	if (input)
		kbx_out_puts(key, input);
	kbx_out_puts(key, "\x1f");
	if (kbx_tool_identity(t, compiler, key, err))
		return -1;
	if (mentions_relative_path(args, n) && getcwd(cwd, sizeof(cwd))) {
		kbx_out_puts(key, "\x1f");
		kbx_out_puts(key, cwd);
	}
	return 0;
}

/* Runs TOOL's words plus ARGS ("@TMP@" is the scratch output), stdin from
 * INPUT; *OK is whether it exited 0, as Kbuild's try-run decides. */
static int try_run(struct kbx_tool *t, int compiler, const char *kind,
		   char *const *args, size_t n, const char *input, int *ok,
		   struct kbx_err *err)
{
	struct kbx_out key;
	struct kbx_run run;
	char **argv, *cached;
	const char *tmp;
	size_t i, k = 0;
	int rc = -1;

	kbx_out_init(&key);
	if (probe_key(t, compiler, kind, args, n, input, &key, err)) {
		kbx_out_free(&key);
		return -1;
	}
	if (kbx_answer_get(kbx_out_str(&key), &cached)) {
		*ok = strcmp(cached, "y") == 0;
		free(cached);
		kbx_out_free(&key);
		return 0;
	}
	tmp = tmp_output(err);
	argv = calloc(t->argc + n + 1, sizeof(*argv));
	if (!tmp || !argv)
		goto out;
	for (i = 0; i < t->argc; i++)
		argv[k++] = t->argv[i];
	for (i = 0; i < n; i++)
		argv[k++] = strcmp(args[i], "@TMP@") ? args[i] : (char *)tmp;
	if (kbx_run(argv, input, 0, kbx_probe_timeout_ms(), &run, err))
		goto out;
	if (run.timed_out) {
		kbx_fail(err, NULL,
			 "'%s' did not finish within %u s and was killed "
			 "(KBX_PROBE_TIMEOUT)",
			 t->argv[t->driver], kbx_probe_timeout_ms() / 1000);
		goto out;
	}
	*ok = run.status == 0;
	kbx_answer_put(kbx_out_str(&key), *ok ? "y" : "n");
	rc = 0;
out:
	free(argv);
	kbx_out_free(&key);
	return rc;
}

/* ---- the Kbuild probes ------------------------------------------------------ */

static size_t split_into(char *s, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(s, " \t\n", &save); w && n < max;
	     w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	return n;
}

#define MAX_ARGS 512

/* $(CC) -Werror FLAGS -c -x c /dev/null -o "$$TMP" */
static int cc_probe(struct kbx_tool *t, char **flags, size_t n, int *ok,
		    struct kbx_err *err)
{
	char *args[MAX_ARGS + 8];
	size_t k = 0, i;

	if (n > MAX_ARGS)
		return kbx_fail(err, NULL, "more than %d flags", MAX_ARGS);
	args[k++] = "-Werror";
	for (i = 0; i < n; i++)
		args[k++] = flags[i];
	args[k++] = "-c";
	args[k++] = "-x";
	args[k++] = "c";
	args[k++] = "/dev/null";
	args[k++] = "-o";
	args[k++] = "@TMP@";
	return try_run(t, 1, "cc-option", args, k, NULL, ok, err);
}

int kbx_cc_option(const char *cc, const char *flags, int *ok,
		  struct kbx_err *err)
{
	char *copy = strdup(flags), *words[MAX_ARGS + 1];
	struct kbx_tool t;
	int rc;

	if (!copy)
		return kbx_fail(err, NULL, "out of memory");
	if (kbx_tool_open(cc, "compiler", &t, err)) {
		free(copy);
		return -1;
	}
	rc = cc_probe(&t, words, split_into(copy, words, MAX_ARGS + 1), ok,
		      err);
	kbx_tool_close(&t);
	free(copy);
	return rc;
}

/* Flags that can make other flags pass (warnings off, -Werror undone,
 * another language, stage or standard), or that only work beside another
 * flag: they are never grouped, so that a group that passes proves each
 * member would pass alone. Grouping only ever saves runs; a group that
 * fails is split, so extra failures cost time, never a wrong answer. */
static int must_probe_alone(const char *f)
{
	static const char *const exact[] = { "-w",    "-c",    "-E",
					     "-S",    "-pipe", "-fsyntax-only",
					     "-ansi", NULL };
	/* -Wno-X stays grouped: what it could silence in a group is a
	 * warning named X, and command-line flags do not raise those */
	static const char *const prefixes[] = {
		"-Wno-error",
		"-x",
		"-M",
		"-o",
		"-include",
		"-imacros",
		"-D",
		"-U",
		"-I",
		"-std",
		"-specs",
		"-Wp,",
		"-Wa,",
		"-Wl,",
		"-X",
		"-fdiagnostics",
		"-fno-diagnostics",
		"-mstack-protector-guard",
		"-fsanitize",
		"-fno-sanitize",
		"--",
		NULL,
	};
	size_t i;

	if (f[0] != '-')
		return 1;
	for (i = 0; exact[i]; i++)
		if (strcmp(f, exact[i]) == 0)
			return 1;
	for (i = 0; prefixes[i]; i++)
		if (strncmp(f, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

static void set_all(int *ok, size_t n, int v)
{
	while (n--)
		ok[n] = v;
}

static int decide_each(struct kbx_tool *t, char **flags, int *ok, size_t n,
		       struct kbx_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cc_probe(t, &flags[i], 1, &ok[i], err))
			return -1;
	return 0;
}

/* A group that failed (or must hold a refusal, see below). Its first half
 * is probed: when that passes, the refusal is in the second half, which is
 * split in turn without a run of its own. When it fails, the second half
 * is probed too; when both fail, the flags are dense with refusals and
 * single probes are cheaper than more splitting. Single flags are always
 * probed alone, so a pair that only conflicts together (each fine alone)
 * is still judged right. A list the compiler mostly accepts costs about
 * log2(n) runs per refusal; one it mostly refuses, three runs more than
 * probing each alone. A probe asked twice comes from the memo. */
static int decide_failed(struct kbx_tool *t, char **flags, int *ok, size_t n,
			 struct kbx_err *err)
{
	size_t h = n / 2;
	int pa, pb;

	if (n <= 2)
		return decide_each(t, flags, ok, n, err);
	if (cc_probe(t, flags, h, &pa, err))
		return -1;
	if (pa) {
		set_all(ok, h, 1);
		return decide_failed(t, flags + h, ok + h, n - h, err);
	}
	if (cc_probe(t, flags + h, n - h, &pb, err))
		return -1;
	if (pb) {
		set_all(ok + h, n - h, 1);
		return decide_failed(t, flags, ok, h, err);
	}
	return decide_each(t, flags, ok, n, err);
}

/* Decides FLAGS[0..n): the whole group in one run first. */
static int decide_group(struct kbx_tool *t, char **flags, int *ok, size_t n,
			struct kbx_err *err)
{
	int pass;

	if (n == 0)
		return 0;
	if (cc_probe(t, flags, n, &pass, err))
		return -1;
	if (pass || n == 1) {
		set_all(ok, n, pass);
		return 0;
	}
	return decide_failed(t, flags, ok, n, err);
}

int kbx_cc_options(const char *cc, char **flags, size_t n, int *ok,
		   struct kbx_err *err)
{
	char **group = calloc(n + 1, sizeof(*group));
	size_t *where = calloc(n + 1, sizeof(*where));
	int *gok = calloc(n + 1, sizeof(*gok));
	struct kbx_tool t;
	size_t i, g = 0;
	int rc = -1;

	if (!group || !where || !gok) {
		kbx_fail(err, NULL, "out of memory");
		goto out;
	}
	if (kbx_tool_open(cc, "compiler", &t, err))
		goto out;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (must_probe_alone(flags[i])) {
			rc = cc_probe(&t, &flags[i], 1, &ok[i], err);
			continue;
		}
		where[g] = i;
		group[g++] = flags[i];
	}
	if (rc == 0)
		rc = decide_group(&t, group, gok, g, err);
	for (i = 0; rc == 0 && i < g; i++)
		ok[where[i]] = gok[i];
	kbx_tool_close(&t);
out:
	free(group);
	free(where);
	free(gok);
	return rc;
}

/* $(LD) $(KBUILD_LDFLAGS) FLAGS -v */
int kbx_ld_option(const char *ld, const char *flags, int *ok,
		  struct kbx_err *err)
{
	char *copy = strdup(flags), *args[MAX_ARGS + 2];
	struct kbx_tool t;
	size_t n;
	int rc;

	if (!copy)
		return kbx_fail(err, NULL, "out of memory");
	if (kbx_tool_open(ld, "linker", &t, err)) {
		free(copy);
		return -1;
	}
	n = split_into(copy, args, MAX_ARGS);
	args[n++] = "-v";
	rc = try_run(&t, 0, "ld-option", args, n, NULL, ok, err);
	kbx_tool_close(&t);
	free(copy);
	return rc;
}

/* What `printf "%b\n" INSTR` writes: backslash escapes expanded. */
static void printf_b(const char *s, struct kbx_out *out)
{
	static const char from[] = "abfnrtv\\", to[] = "\a\b\f\n\r\t\v\\";

	for (; *s; s++) {
		const char *e;
		unsigned v = 0;
		int i;

		if (*s != '\\' || !s[1]) {
			kbx_out_put(out, s, 1);
			continue;
		}
		s++;
		if (*s == 'c')
			return;
		if ((e = strchr(from, *s))) {
			kbx_out_put(out, &to[e - from], 1);
		} else if (*s == '0') {
			for (i = 0; i < 3 && s[1] >= '0' && s[1] <= '7'; i++)
				v = v * 8 + (unsigned)(*++s - '0');
			kbx_out_put(out, (const char *)&(char){ (char)v }, 1);
		} else {
			kbx_out_put(out, s - 1, 2);
		}
	}
	kbx_out_put(out, "\n", 1);
}

/* printf "%b\n" INSTR | $(CC) -Werror -c -x assembler-with-cpp -o TMP - */
int kbx_as_instr(const char *cc, const char *instr, int *ok,
		 struct kbx_err *err)
{
	char *args[] = { "-Werror", "-c",    "-x", "assembler-with-cpp",
			 "-o",	    "@TMP@", "-" };
	struct kbx_tool t;
	struct kbx_out in;
	int rc;

	if (kbx_tool_open(cc, "compiler", &t, err))
		return -1;
	kbx_out_init(&in);
	printf_b(instr, &in);
	rc = try_run(&t, 1, "as-instr", args, sizeof(args) / sizeof(args[0]),
		     kbx_out_str(&in), ok, err);
	kbx_out_free(&in);
	kbx_tool_close(&t);
	return rc;
}
