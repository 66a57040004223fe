/* kbx check-modules: every module of a tree checked against Module.symvers
 * files and against each other, as modpost and depmod -e do, on N threads. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbx.h"

struct job {
	char *path;
	struct kbx_ko *ko;
	struct kbx_err err;
	struct kbx_out report;
	size_t problems;
};

struct run {
	const struct kbx_check_opts *opts;
	struct job *jobs;
	size_t n_jobs, cap_jobs;
	struct kbx_symvers **symvers; /* files, then the modules' own */
	size_t n_symvers;
	size_t next; /* next job a worker takes */
	pthread_mutex_t lock;
	int phase; /* 0: load modules, 1: check them */
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int add_job(struct run *r, const char *path)
{
	struct job *j;

	if (r->n_jobs == r->cap_jobs) {
		size_t cap = r->cap_jobs ? r->cap_jobs * 2 : 256;
		struct job *p = realloc(r->jobs, cap * sizeof(*p));

		if (!p)
			return -1;
		r->jobs = p;
		r->cap_jobs = cap;
	}
	j = &r->jobs[r->n_jobs];
	memset(j, 0, sizeof(*j));
	j->path = strdup(path);
	if (!j->path)
		return -1;
	kbx_out_init(&j->report);
	r->n_jobs++;
	return 0;
}

static int cmp_job(const void *a, const void *b)
{
	return strcmp(((const struct job *)a)->path,
		      ((const struct job *)b)->path);
}

static int scan_dir(struct run *r, const char *dir, struct kbx_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return kbx_fail(err, dir, "%s", strerror(errno));
	while (!rc && (de = readdir(d))) {
		char *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			rc = kbx_fail(err, dir, "out of memory");
			break;
		}
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = scan_dir(r, path, err);
		else if (has_suffix(path, ".ko") && add_job(r, path))
			rc = kbx_fail(err, dir, "out of memory");
		free(path);
	}
	closedir(d);
	return rc;
}

static int collect(struct run *r, char **paths, size_t n, struct kbx_err *err)
{
	size_t i, first;
	struct stat st;

	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st))
			return kbx_fail(err, paths[i], "%s", strerror(errno));
		first = r->n_jobs;
		if (S_ISDIR(st.st_mode)) {
			if (scan_dir(r, paths[i], err))
				return -1;
			qsort(r->jobs + first, r->n_jobs - first,
			      sizeof(*r->jobs), cmp_job);
		} else if (add_job(r, paths[i])) {
			return kbx_fail(err, paths[i], "out of memory");
		}
	}
	if (!r->n_jobs)
		return kbx_fail(err, paths[0], "no .ko files found");
	return 0;
}

static void note_problem(void *ctx, const struct kbx_problem *p)
{
	struct job *j = ctx;

	kbx_problem_explain(p, j->ko, &j->report);
	kbx_out_put(&j->report, "\n", 1);
	j->problems++;
}

static void check_vermagic(struct job *j, const char *release)
{
	const char *vm = j->ko->vermagic;
	size_t n = strcspn(vm, " ");

	if (!release)
		return;
	if (strlen(release) == n && strncmp(vm, release, n) == 0)
		return;
	kbx_out_printf(&j->report,
		       "%s: vermagic \"%s\" is for kernel %.*s, not %s "
		       "(rebuild it against that kernel's headers)\n",
		       j->path, vm, (int)n, vm, release);
	j->problems++;
}

static void check_module(struct run *r, struct job *j)
{
	if (!j->ko)
		return;
	if (!j->ko->has_modinfo) {
		kbx_out_printf(&j->report,
			       "%s: no .modinfo section: not built by "
			       "Kbuild, the kernel will refuse it\n",
			       j->path);
		j->problems++;
		return;
	}
	if (!j->ko->license[0]) {
		kbx_out_printf(&j->report,
			       "%s: no MODULE_LICENSE(): modpost rejects it "
			       "and loading taints the kernel\n",
			       j->path);
		j->problems++;
	}
	check_vermagic(j, r->opts->release);
	kbx_ko_check_imports(j->ko, r->symvers, r->n_symvers, note_problem, j);
}

static void *worker(void *arg)
{
	struct run *r = arg;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&r->lock);
		j = r->next < r->n_jobs ? &r->jobs[r->next++] : NULL;
		pthread_mutex_unlock(&r->lock);
		if (!j)
			return NULL;
		if (r->phase == 0)
			j->ko = kbx_ko_load(j->path, &j->err);
		else
			check_module(r, j);
	}
}

static void run_phase(struct run *r, int phase)
{
	unsigned n = r->opts->jobs, i;
	pthread_t *t = calloc(n, sizeof(*t));
	unsigned started = 0;

	r->phase = phase;
	r->next = 0;
	for (i = 1; t && i < n; i++)
		if (pthread_create(&t[started], NULL, worker, r) == 0)
			started++;
	worker(r);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
}

/* The modules checked together provide symbols to each other, with the
 * CRCs of their __kcrctab, as an installed tree does for depmod. */
static struct kbx_symvers *exports_of_jobs(struct run *r)
{
	struct kbx_symvers *sv = kbx_symvers_new();
	size_t i, k;

	if (!sv)
		return NULL;
	for (i = 0; i < r->n_jobs; i++) {
		const struct kbx_ko *ko = r->jobs[i].ko;

		for (k = 0; ko && k < ko->n_exports; k++) {
			const struct kbx_ko_export *x = &ko->exports[k];
			struct kbx_symvers_entry e = {
				.name = x->name,
				.name_len = (uint16_t)strlen(x->name),
				.module = ko->modname,
				.module_len = (uint16_t)strlen(ko->modname),
				.export = x->gpl ? "EXPORT_SYMBOL_GPL"
						 : "EXPORT_SYMBOL",
				.export_len = x->gpl ? 17 : 13,
				.ns = x->ns,
				.ns_len = (uint16_t)strlen(x->ns),
				.crc = x->has_crc ? x->crc : 0,
			};

			if (kbx_symvers_add(sv, &e))
				goto fail;
		}
	}
	if (kbx_symvers_finish(sv))
		goto fail;
	return sv;
fail:
	kbx_symvers_free(sv);
	return NULL;
}

static int load_symvers(struct run *r, struct kbx_err *err)
{
	size_t i, n = r->opts->n_symvers;

	r->symvers = calloc(n + 1, sizeof(*r->symvers));
	if (!r->symvers)
		return kbx_fail(err, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		r->symvers[i] = kbx_symvers_load(r->opts->symvers[i], err);
		if (!r->symvers[i])
			return -1;
		r->n_symvers++;
	}
	return 0;
}

static void print_report(struct run *r, struct kbx_out *out, size_t *bad,
			 size_t *total)
{
	size_t i;

	for (i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];

		if (!j->ko) {
			kbx_out_printf(out, "%s\n", j->err.msg);
			j->problems = 1;
		} else if (j->report.len) {
			kbx_out_puts(out, kbx_out_str(&j->report));
		} else if (r->opts->verbose) {
			kbx_out_printf(out, "%s: ok\n", j->path);
		}
		*total += j->problems;
		if (j->problems)
			(*bad)++;
	}
}

static void free_run(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_jobs; i++) {
		kbx_ko_free(r->jobs[i].ko);
		kbx_out_free(&r->jobs[i].report);
		free(r->jobs[i].path);
	}
	free(r->jobs);
	for (i = 0; i < r->n_symvers; i++)
		kbx_symvers_free(r->symvers[i]);
	free(r->symvers);
	pthread_mutex_destroy(&r->lock);
}

int kbx_check_modules(const struct kbx_check_opts *opts, char **paths,
		      size_t n_paths, struct kbx_out *out, struct kbx_err *err)
{
	struct run r = { .opts = opts };
	size_t bad = 0, total = 0;
	int rc = -1;

	pthread_mutex_init(&r.lock, NULL);
	if (load_symvers(&r, err) || collect(&r, paths, n_paths, err))
		goto out;
	run_phase(&r, 0);
	r.symvers[r.n_symvers] = exports_of_jobs(&r);
	if (!r.symvers[r.n_symvers]) {
		kbx_fail(err, NULL, "out of memory");
		goto out;
	}
	r.n_symvers++;
	run_phase(&r, 1);
	print_report(&r, out, &bad, &total);
	if (opts->summary)
		kbx_out_printf(out,
			       "kbx check-modules: %zu modules, %zu with "
			       "problems, %zu problems\n",
			       r.n_jobs, bad, total);
	rc = bad > (size_t)0x7fffffff ? 0x7fffffff : (int)bad;
out:
	free_run(&r);
	return rc;
}
