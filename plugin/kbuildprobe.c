/* Kbuild's own try-run (scripts/Makefile.compiler), answered from kbx's
 * probe cache. mk/kbuild-try-run.mk hands it to Kbuild's makes in place of
 * the original. The probe runs as Kbuild's does, the same shell lines on
 * the same command, so kbx only decides when it need not run again: the
 * key is the command (its scratch file is "$TMP", the same every time),
 * the directory make runs in, and the identity of the tool it runs (the
 * driver and, for a compiler, its cc1, as and ld). Anything kbx cannot
 * key soundly runs uncached, exactly as Kbuild would run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbx.h"

/* Kbuild's try-run, reduced to its exit status: 10 when the command
 * succeeded, 11 when it failed, anything else when the scaffolding did
 * (where Kbuild's own echoes nothing). */
static int run_script(const char *cmd, const char *tmpout, int *verdict)
{
	struct kbx_err err = { { 0 } };
	struct kbx_run run;
	char *script, *argv[4];
	int rc;

	if (asprintf(&script,
		     "set -e; TMP=%s/tmp; trap \"rm -rf %s\" EXIT; "
		     "mkdir -p %s; if (%s) >/dev/null 2>&1; then exit 10; "
		     "else exit 11; fi",
		     tmpout, tmpout, tmpout, cmd) < 0)
		return -1;
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	rc = kbx_run(argv, NULL, 0, kbx_probe_timeout_ms(), &run, &err);
	free(script);
	if (rc)
		return -1;
	*verdict = run.status;
	kbx_run_free(&run);
	return 0;
}

/* The text Kbuild's `echo "TEXT"` prints is TEXT itself unless it holds
 * something the shell or dash's echo would change. */
static int echoes_as_is(const char *s)
{
	return !strpbrk(s, "\\\"$`\n");
}

/* The one program the command runs, as a tool kbx can identify: the words
 * after the last pipe up to the first option ("ccache aarch64-linux-gnu-gcc",
 * "ld.lld"). 0 when the command is one kbx cannot key: other shell syntax,
 * a variable but $TMP, a command substitution, words longer than SIZE. */
int kbx_kbuild_probe_tool(const char *cmd, char *buf, size_t size)
{
	const char *seg = cmd, *p;
	int quoted = 0, pipes = 0;
	size_t n = 0;

	for (p = cmd; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '$' && strncmp(p, "$TMP", 4) != 0)
			return 0;
		else if (!quoted && strchr(";&`<>(){}\\'", *p))
			return 0;
		else if (!quoted && *p == '|' && ++pipes)
			seg = p + 1;
	}
	if (quoted || pipes > 1 || size == 0)
		return 0;
	for (p = seg;;) {
		const char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '-' || *p == '"')
			break;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (n + (size_t)(p - w) + 2 > size)
			return 0;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, w, (size_t)(p - w));
		n += (size_t)(p - w);
	}
	buf[n] = '\0';
	return n > 0;
}

/* A linker's answer depends on the linker alone; a compiler's also on the
 * programs it runs. */
static int is_linker(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	return strcmp(b, "ld") == 0 ||
	       (n > 3 && strcmp(b + n - 3, "-ld") == 0) ||
	       strncmp(b, "ld.", 3) == 0 || strstr(b, "-ld.") != NULL;
}

static int probe_key(const char *cmd, const char *tmpout, struct kbx_out *key)
{
	struct kbx_err err = { { 0 } };
	struct kbx_tool t;
	char words[1024], cwd[4096];
	int rc;

	if (strstr(cmd, tmpout) ||
	    !kbx_kbuild_probe_tool(cmd, words, sizeof(words)) ||
	    !getcwd(cwd, sizeof(cwd)))
		return -1;
	if (kbx_tool_open(words, "tool", &t, &err))
		return -1;
	kbx_out_puts(key, "kbuild-try-run\x1f");
	kbx_out_puts(key, cmd);
	kbx_out_puts(key, "\x1f");
	kbx_out_puts(key, cwd);
	kbx_out_puts(key, "\x1f");
	rc = kbx_tool_identity(&t, !is_linker(t.path), key, &err);
	kbx_tool_close(&t);
	return rc ? -1 : 0;
}

/* *VERDICT as run_script's, from the cache when the key is sound. */
static int cached_verdict(const char *cmd, const char *tmpout, int *verdict)
{
	struct kbx_out key;
	char *cached;
	int rc;

	kbx_out_init(&key);
	if (probe_key(cmd, tmpout, &key) || key.oom) {
		kbx_out_free(&key);
		return run_script(cmd, tmpout, verdict);
	}
	if (kbx_answer_get(kbx_out_str(&key), &cached)) {
		*verdict = strcmp(cached, "y") == 0 ? 10 : 11;
		free(cached);
		kbx_out_free(&key);
		return 0;
	}
	rc = run_script(cmd, tmpout, verdict);
	if (rc == 0 && (*verdict == 10 || *verdict == 11))
		kbx_answer_put(kbx_out_str(&key), *verdict == 10 ? "y" : "n");
	kbx_out_free(&key);
	return rc;
}

/* Kbuild's whole try-run, its output captured as $(shell) gives it: the
 * way when the answers are texts the shell would change. */
static int run_original(const char *cmd, const char *yes, const char *no,
			const char *tmpout, struct kbx_out *out)
{
	struct kbx_err err = { { 0 } };
	struct kbx_run run;
	char *script, *argv[4];
	size_t n, i;
	int rc;

	if (asprintf(&script,
		     "set -e; TMP=%s/tmp; trap \"rm -rf %s\" EXIT; "
		     "mkdir -p %s; if (%s) >/dev/null 2>&1; then echo \"%s\"; "
		     "else echo \"%s\"; fi",
		     tmpout, tmpout, tmpout, cmd, yes, no) < 0)
		return -1;
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	rc = kbx_run(argv, NULL, 1, kbx_probe_timeout_ms(), &run, &err);
	free(script);
	if (rc)
		return -1;
	/* $(shell): the last newline dropped, the others made spaces */
	n = run.out_len;
	if (n && run.out[n - 1] == '\n')
		n--;
	for (i = 0; i < n; i++)
		if (run.out[i] == '\n')
			run.out[i] = ' ';
	kbx_out_put(out, run.out ? run.out : "", n);
	kbx_run_free(&run);
	return 0;
}

int kbx_kbuild_try_run(const char *cmd, const char *yes, const char *no,
		       const char *tmpout, struct kbx_out *out)
{
	int verdict;

	if (!echoes_as_is(yes) || !echoes_as_is(no))
		return run_original(cmd, yes, no, tmpout, out);
	if (cached_verdict(cmd, tmpout, &verdict))
		return run_original(cmd, yes, no, tmpout, out);
	if (verdict == 10)
		kbx_out_puts(out, yes);
	else if (verdict == 11)
		kbx_out_puts(out, no);
	return 0;
}
