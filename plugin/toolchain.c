/* Toolchains: a CC or LD command (one or more words, a ccache-style wrapper
 * first), the program it resolves to on PATH, and the identity (path,
 * size, mtime, inode) of every program that decides a probe's answer: the
 * driver and, for a compiler, the cc1, as and ld it runs. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbx.h"

static const char *const wrappers[] = { "ccache", "sccache", "distcc", "icecc",
					NULL };

static int is_wrapper(const char *word)
{
	const char *base = strrchr(word, '/');
	size_t i;

	base = base ? base + 1 : word;
	for (i = 0; wrappers[i]; i++)
		if (strcmp(base, wrappers[i]) == 0)
			return 1;
	return 0;
}

/* NAME on PATH (or NAME itself when it holds a slash), made absolute. */
int kbx_which(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[PATH_MAX];
	struct stat st;

	if (!name || !*name)
		return -1;
	if (strchr(name, '/')) {
		if (stat(name, &st) || !S_ISREG(st.st_mode) ||
		    access(name, X_OK) || !realpath(name, buf))
			return -1;
		snprintf(out, size, "%s", buf);
		return 0;
	}
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		snprintf(buf, sizeof(buf), "%.*s/%s",
			 end == p ? 1 : (int)(end - p), end == p ? "." : p,
			 name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0) {
			snprintf(out, size, "%s", buf);
			return 0;
		}
	}
	return -1;
}

/* "path:size:mtime:inode", of the file a symlink names. */
static void file_ident(const char *path, struct kbx_out *out)
{
	struct stat st;

	if (stat(path, &st)) {
		kbx_out_printf(out, "%s:-", path);
		return;
	}
	kbx_out_printf(out, "%s:%lld:%lld.%09ld:%llu", path,
		       (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		       st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
}

/* Resolutions and identities are remembered per process: a Makefile
 * probes the same compiler hundreds of times. A name is looked up on PATH
 * again when PATH changes; an identity is worked out again when the
 * driver's own stat changes. */
struct tool_memo {
	char *name, *path_env;
	char path[4096];
	struct stat st;
	char *ident[2]; /* plain, compiler (with cc1, as, ld) */
	struct tool_memo *next;
};

static struct tool_memo *tool_memos;

static struct tool_memo *tool_memo_find(const char *name, const char *path_env)
{
	struct tool_memo *m;

	for (m = tool_memos; m; m = m->next)
		if (strcmp(m->name, name) == 0 &&
		    strcmp(m->path_env, path_env) == 0)
			return m;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name)) ||
	    !(m->path_env = strdup(path_env))) {
		if (m)
			free(m->name);
		free(m);
		return NULL;
	}
	m->next = tool_memos;
	tool_memos = m;
	return m;
}

static int which_memo(const char *name, char *out, size_t size)
{
	const char *path_env = getenv("PATH");
	struct tool_memo *m = tool_memo_find(name, path_env ? path_env : "");

	if (m && m->path[0]) {
		snprintf(out, size, "%s", m->path);
		return 0;
	}
	if (kbx_which(name, out, size))
		return -1;
	if (m)
		snprintf(m->path, sizeof(m->path), "%s", out);
	return 0;
}

static struct tool_memo *memo_of_path(const char *path)
{
	struct tool_memo *m;

	for (m = tool_memos; m; m = m->next)
		if (strcmp(m->path, path) == 0)
			return m;
	return NULL;
}

static int same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void kbx_tools_drop(void)
{
	while (tool_memos) {
		struct tool_memo *m = tool_memos;

		tool_memos = m->next;
		free(m->name);
		free(m->path_env);
		free(m->ident[0]);
		free(m->ident[1]);
		free(m);
	}
}

int kbx_tool_open(const char *cmd, const char *what, struct kbx_tool *t,
		  struct kbx_err *err)
{
	char *save = NULL, *w;
	size_t cap = 8;

	memset(t, 0, sizeof(*t));
	t->words = strdup(cmd ? cmd : "");
	t->argv = calloc(cap + 1, sizeof(*t->argv));
	if (!t->words || !t->argv) {
		kbx_tool_close(t);
		return kbx_fail(err, NULL, "out of memory");
	}
	for (w = strtok_r(t->words, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if (t->argc == cap) {
			char **n = realloc(t->argv, (2 * cap + 1) * sizeof(*n));

			if (!n) {
				kbx_tool_close(t);
				return kbx_fail(err, NULL, "out of memory");
			}
			t->argv = n;
			cap *= 2;
		}
		t->argv[t->argc++] = w;
		t->argv[t->argc] = NULL;
	}
	if (t->argc == 0) {
		kbx_tool_close(t);
		return kbx_fail(err, NULL, "no %s given (it is empty)", what);
	}
	t->driver = is_wrapper(t->argv[0]) && t->argc > 1 ? 1 : 0;
	if (which_memo(t->argv[t->driver], t->path, sizeof(t->path))) {
		kbx_fail(err, NULL, "%s '%s' not found on PATH", what,
			 t->argv[t->driver]);
		kbx_tool_close(t);
		return -1;
	}
	return 0;
}

void kbx_tool_close(struct kbx_tool *t)
{
	free(t->words);
	free(t->argv);
	memset(t, 0, sizeof(*t));
}

/* The command as one canonical string (single spaces). */
void kbx_tool_command(const struct kbx_tool *t, struct kbx_out *out)
{
	size_t i;

	for (i = 0; i < t->argc; i++)
		kbx_out_word(out, t->argv[i], strlen(t->argv[i]));
}

/* The helpers a compiler driver runs, as it names them itself; asked
 * once per driver identity and remembered in the probe cache. */
static int helper_paths(struct kbx_tool *t, const char *driver_ident,
			struct kbx_out *out, struct kbx_err *err)
{
	static const char *const progs[] = { "cc1", "as", "ld" };
	struct kbx_out key;
	char *cached;
	size_t i;

	kbx_out_init(&key);
	kbx_out_puts(&key, "helpers\x1f");
	kbx_out_puts(&key, driver_ident);
	if (kbx_answer_get(kbx_out_str(&key), &cached)) {
		kbx_out_puts(out, cached);
		free(cached);
		kbx_out_free(&key);
		return 0;
	}
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char arg[64], resolved[PATH_MAX];
		char *argv[] = { t->path, arg, NULL };
		struct kbx_run run;

		snprintf(arg, sizeof(arg), "-print-prog-name=%s", progs[i]);
		if (kbx_run(argv, NULL, 1, kbx_probe_timeout_ms(), &run, err)) {
			kbx_out_free(&key);
			return -1;
		}
		if (run.timed_out) {
			kbx_run_free(&run);
			kbx_out_free(&key);
			return kbx_fail(err, NULL,
					"'%s' did not finish within %u s and "
					"was killed (KBX_PROBE_TIMEOUT)",
					t->argv[t->driver],
					kbx_probe_timeout_ms() / 1000);
		}
		if (run.status == 0 && run.out) {
			run.out[strcspn(run.out, "\n")] = '\0';
			if (kbx_which(run.out, resolved, sizeof(resolved)) == 0)
				kbx_out_word(out, resolved, strlen(resolved));
		}
		kbx_run_free(&run);
	}
	kbx_answer_put(kbx_out_str(&key), kbx_out_str(out));
	kbx_out_free(&key);
	return 0;
}

/* Everything that decides a probe's answer, as one string. */
static int tool_identity(struct kbx_tool *t, int compiler, struct kbx_out *out,
			 struct kbx_err *err);

int kbx_tool_identity(struct kbx_tool *t, int compiler, struct kbx_out *out,
		      struct kbx_err *err)
{
	struct tool_memo *m = memo_of_path(t->path);
	struct kbx_out id;
	struct stat st;
	int rc;

	compiler = !!compiler;
	if (m && stat(t->path, &st) == 0) {
		if (m->ident[compiler] && same_stat(&st, &m->st)) {
			kbx_out_puts(out, m->ident[compiler]);
			return 0;
		}
		if (!same_stat(&st, &m->st)) {
			free(m->ident[0]);
			free(m->ident[1]);
			m->ident[0] = m->ident[1] = NULL;
			m->st = st;
		}
	}
	kbx_out_init(&id);
	rc = tool_identity(t, compiler, &id, err);
	if (rc == 0) {
		kbx_out_puts(out, kbx_out_str(&id));
		if (m && !m->ident[compiler])
			m->ident[compiler] = strdup(kbx_out_str(&id));
	}
	kbx_out_free(&id);
	return rc;
}

static int tool_identity(struct kbx_tool *t, int compiler, struct kbx_out *out,
			 struct kbx_err *err)
{
	struct kbx_out helpers, driver;
	char *save = NULL, *w, *list;
	int rc = 0;

	kbx_out_init(&driver);
	file_ident(t->path, &driver);
	kbx_out_puts(out, kbx_out_str(&driver));
	if (compiler) {
		kbx_out_init(&helpers);
		rc = helper_paths(t, kbx_out_str(&driver), &helpers, err);
		list = rc ? NULL : strdup(kbx_out_str(&helpers));
		for (w = list ? strtok_r(list, " ", &save) : NULL; w;
		     w = strtok_r(NULL, " ", &save)) {
			kbx_out_puts(out, " ");
			file_ident(w, out);
		}
		free(list);
		kbx_out_free(&helpers);
	}
	kbx_out_free(&driver);
	return rc;
}

/* ---- the kernel ARCH of a GNU triple ----------------------------------- */

const char *kbx_arch_from_triple(const char *triple)
{
	static const struct {
		const char *prefix, *arch;
	} table[] = {
		{ "aarch64", "arm64" },	  { "arm64", "arm64" },
		{ "arm", "arm" },	  { "thumb", "arm" },
		{ "x86_64", "x86" },	  { "amd64", "x86" },
		{ "i386", "x86" },	  { "i486", "x86" },
		{ "i586", "x86" },	  { "i686", "x86" },
		{ "riscv", "riscv" },	  { "mips", "mips" },
		{ "powerpc", "powerpc" }, { "ppc", "powerpc" },
		{ "s390", "s390" },	  { "loongarch", "loongarch" },
		{ "sparc", "sparc" },	  { "sh", "sh" },
		{ "m68k", "m68k" },	  { "microblaze", "microblaze" },
		{ "nios2", "nios2" },	  { "arc", "arc" },
		{ "xtensa", "xtensa" },	  { "or1k", "openrisc" },
		{ "hppa", "parisc" },	  { "alpha", "alpha" },
		{ "ia64", "ia64" },	  { "csky", "csky" },
	};
	size_t i, n = strcspn(triple, "-");

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t pl = strlen(table[i].prefix);

		if (n >= pl && strncmp(triple, table[i].prefix, pl) == 0)
			return table[i].arch;
	}
	return NULL;
}

int kbx_arch_is_known(const char *arch)
{
	static const char *const arches[] = {
		"alpha",   "arc",    "arm",	  "arm64",  "csky",
		"hexagon", "ia64",   "loongarch", "m68k",   "microblaze",
		"mips",	   "nios2",  "openrisc",  "parisc", "powerpc",
		"riscv",   "s390",   "sh",	  "sparc",  "um",
		"x86",	   "xtensa", NULL,
	};
	size_t i;

	for (i = 0; arches[i]; i++)
		if (strcmp(arch, arches[i]) == 0)
			return 1;
	return 0;
}

/* ---- kbx-cc: what the compiler says about itself -------------------------- */

/* scripts/cc-version.sh's way: the preprocessor names the family. */
static const char version_program[] = "#if defined(__clang__)\n"
				      "kbx-family clang __clang_major__ "
				      "__clang_minor__ __clang_patchlevel__\n"
				      "#elif defined(__GNUC__)\n"
				      "kbx-family gcc __GNUC__ __GNUC_MINOR__ "
				      "__GNUC_PATCHLEVEL__\n"
				      "#endif\n";

/* Runs the tool's words plus ARGS, capturing stdout's first line. */
static int ask(struct kbx_tool *t, char *const *args, size_t n,
	       const char *input, char *line, size_t size, struct kbx_err *err)
{
	char *argv[16];
	struct kbx_run run;
	size_t i, k = 0;

	line[0] = '\0';
	if (t->argc + n >= sizeof(argv) / sizeof(argv[0]))
		return kbx_fail(err, NULL, "compiler command too long");
	for (i = 0; i < t->argc; i++)
		argv[k++] = t->argv[i];
	for (i = 0; i < n; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	if (kbx_run(argv, input, 1, kbx_probe_timeout_ms(), &run, err))
		return -1;
	if (run.timed_out) {
		kbx_run_free(&run);
		return kbx_fail(err, NULL,
				"'%s' did not finish within %u s and was "
				"killed (KBX_PROBE_TIMEOUT)",
				t->argv[t->driver],
				kbx_probe_timeout_ms() / 1000);
	}
	if (run.status == 0 && run.out) {
		char *p = run.out;

		/* the first non-empty line */
		while (*p == '\n')
			p++;
		snprintf(line, size, "%.*s", (int)strcspn(p, "\n"), p);
	}
	kbx_run_free(&run);
	return 0;
}

/* "family\x1fmajor.minor.patch\x1ftriple\x1fsysroot", cached. */
static int cc_info(struct kbx_tool *t, char *info, size_t size,
		   struct kbx_err *err)
{
	char *args_v[] = { "-E", "-P", "-x", "c", "-" };
	char *args_m[] = { "-dumpmachine" }, *args_s[] = { "-print-sysroot" };
	char ver[256], fam[16], triple[256], sysroot[1024], *cached;
	unsigned a, b, c;
	struct kbx_out key;

	kbx_out_init(&key);
	kbx_out_puts(&key, "cc-info\x1f");
	kbx_tool_command(t, &key);
	kbx_out_puts(&key, "\x1f");
	if (kbx_tool_identity(t, 1, &key, err)) {
		kbx_out_free(&key);
		return -1;
	}
	if (kbx_answer_get(kbx_out_str(&key), &cached)) {
		snprintf(info, size, "%s", cached);
		free(cached);
		kbx_out_free(&key);
		return 0;
	}
	if (ask(t, args_v, 5, version_program, ver, sizeof(ver), err) ||
	    ask(t, args_m, 1, NULL, triple, sizeof(triple), err) ||
	    ask(t, args_s, 1, NULL, sysroot, sizeof(sysroot), err)) {
		kbx_out_free(&key);
		return -1;
	}
	if (sscanf(ver, "kbx-family %15s %u %u %u", fam, &a, &b, &c) != 4 ||
	    !triple[0]) {
		kbx_out_free(&key);
		return kbx_fail(err, NULL,
				"'%s' is not a C compiler kbx knows (it names "
				"no gcc or clang version)",
				t->argv[t->driver]);
	}
	snprintf(info, size, "%s\x1f%u.%u.%u\x1f%s\x1f%s", fam, a, b, c, triple,
		 sysroot);
	kbx_answer_put(kbx_out_str(&key), info);
	kbx_out_free(&key);
	return 0;
}

int kbx_cc_field(const char *cc, const char *field, struct kbx_out *out,
		 struct kbx_err *err)
{
	static const char *const fields[] = { "family",	      "version",
					      "version-code", "triple",
					      "arch",	      "path",
					      "sysroot",      NULL };
	char info[2048], *part[4], *p;
	struct kbx_tool t;
	unsigned a = 0, b = 0, c = 0;
	size_t i;

	for (i = 0; fields[i] && strcmp(fields[i], field); i++)
		;
	if (!fields[i])
		return kbx_fail(err, NULL,
				"unknown field '%s' (family version "
				"version-code triple arch path sysroot)",
				field);
	if (kbx_tool_open(cc, "compiler", &t, err))
		return -1;
	if (strcmp(field, "path") == 0) {
		kbx_out_puts(out, t.path);
		kbx_tool_close(&t);
		return 0;
	}
	if (cc_info(&t, info, sizeof(info), err)) {
		kbx_tool_close(&t);
		return -1;
	}
	kbx_tool_close(&t);
	/* family, version, triple, sysroot: split at the \x1f's */
	for (i = 0, p = info; i < 4; i++) {
		part[i] = p;
		p = strchr(p, '\x1f');
		if (p)
			*p++ = '\0';
		else
			p = part[i] + strlen(part[i]);
	}
	if (!strcmp(field, "family"))
		kbx_out_puts(out, part[0]);
	else if (!strcmp(field, "version"))
		kbx_out_puts(out, part[1]);
	else if (!strcmp(field, "version-code")) {
		sscanf(part[1], "%u.%u.%u", &a, &b, &c);
		kbx_out_printf(out, "%u", a * 10000 + b * 100 + c);
	} else if (!strcmp(field, "triple"))
		kbx_out_puts(out, part[2]);
	else if (!strcmp(field, "arch")) {
		const char *arch = kbx_arch_from_triple(part[2]);

		kbx_out_puts(out, arch ? arch : "");
	} else
		kbx_out_puts(out, part[3]);
	return 0;
}

/* ---- kbx-cross and kbx-tools ----------------------------------------------- */

static const struct {
	const char *arch, *prefixes;
} well_known[] = {
	{ "arm64", "aarch64-linux-gnu- aarch64-none-linux-gnu- "
		   "aarch64-linux-" },
	{ "arm", "arm-linux-gnueabihf- arm-linux-gnueabi- "
		 "arm-none-linux-gnueabihf- arm-linux-" },
	{ "x86", "x86_64-linux-gnu- x86_64-pc-linux-gnu- i686-linux-gnu-" },
	{ "riscv", "riscv64-linux-gnu- riscv64-unknown-linux-gnu- "
		   "riscv32-linux-gnu-" },
	{ "mips", "mips-linux-gnu- mipsel-linux-gnu- mips64-linux-gnuabi64- "
		  "mips64el-linux-gnuabi64-" },
	{ "powerpc", "powerpc64le-linux-gnu- powerpc64-linux-gnu- "
		     "powerpc-linux-gnu-" },
	{ "s390", "s390x-linux-gnu-" },
	{ "loongarch", "loongarch64-linux-gnu-" },
	{ "sparc", "sparc64-linux-gnu-" },
	{ "sh", "sh4-linux-gnu-" },
	{ "m68k", "m68k-linux-gnu-" },
	{ "alpha", "alpha-linux-gnu-" },
	{ "parisc", "hppa-linux-gnu-" },
};

/* PREFIXgcc exists and says (-dumpmachine) that it targets ARCH. */
static int prefix_targets(const char *prefix, const char *arch)
{
	char cc[512], info[2048], *triple;
	struct kbx_tool t;
	struct kbx_err err;
	int ok = 0;

	snprintf(cc, sizeof(cc), "%sgcc", prefix);
	if (kbx_tool_open(cc, "compiler", &t, &err))
		return 0;
	if (cc_info(&t, info, sizeof(info), &err) == 0) {
		triple = strchr(info, '\x1f');
		triple = triple ? strchr(triple + 1, '\x1f') : NULL;
		if (triple) {
			const char *a = kbx_arch_from_triple(triple + 1);

			ok = a && strcmp(a, arch) == 0;
		}
	}
	kbx_tool_close(&t);
	return ok;
}

/* Any *-gcc on PATH, in PATH order, whose triple maps to ARCH. */
static int scan_path(const char *arch, struct kbx_out *out)
{
	const char *path = getenv("PATH"), *p, *end;

	for (p = path ? path : ""; *p; p = *end ? end + 1 : end) {
		char dir[PATH_MAX];
		struct dirent *de;
		DIR *d;

		end = strchrnul(p, ':');
		snprintf(dir, sizeof(dir), "%.*s", (int)(end - p), p);
		d = opendir(dir[0] ? dir : ".");
		if (!d)
			continue;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			char prefix[256];

			if (n <= 4 || n >= sizeof(prefix) ||
			    strcmp(de->d_name + n - 4, "-gcc") != 0)
				continue;
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(n - 3),
				 de->d_name);
			if (prefix_targets(prefix, arch)) {
				kbx_out_puts(out, prefix);
				closedir(d);
				return 1;
			}
		}
		closedir(d);
	}
	return 0;
}

int kbx_cross(const char *arch_in, struct kbx_out *out, struct kbx_err *err)
{
	const char *arch = kbx_arch_normalise(arch_in);
	size_t i;

	if (!kbx_arch_is_known(arch))
		return kbx_fail(err, NULL, "unknown ARCH '%s'", arch_in);
	for (i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++) {
		char list[512], *save = NULL, *pfx;

		if (strcmp(well_known[i].arch, arch) != 0)
			continue;
		snprintf(list, sizeof(list), "%s", well_known[i].prefixes);
		for (pfx = strtok_r(list, " ", &save); pfx;
		     pfx = strtok_r(NULL, " ", &save))
			if (prefix_targets(pfx, arch)) {
				kbx_out_puts(out, pfx);
				return 0;
			}
	}
	scan_path(arch, out);
	return 0;
}

int kbx_tools_missing(const char *prefix, const char *tools,
		      struct kbx_out *out)
{
	char list[4096], *save = NULL, *tool;

	snprintf(list, sizeof(list), "%s",
		 tools && *tools ? tools
				 : "gcc ld ar nm objcopy objdump strip");
	for (tool = strtok_r(list, " \t", &save); tool;
	     tool = strtok_r(NULL, " \t", &save)) {
		char name[512], path[PATH_MAX];

		snprintf(name, sizeof(name), "%s%s", prefix, tool);
		if (kbx_which(name, path, sizeof(path)))
			kbx_out_word(out, tool, strlen(tool));
	}
	return 0;
}
