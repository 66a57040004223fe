/* The GNU Make front end: registers every kbx function with Make. */
#include <gnumake.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

#define KBX_EXPORT __attribute__((visibility("default")))

KBX_EXPORT int plugin_is_GPL_compatible;

#ifdef GMK_ABI_VERSION
KBX_EXPORT int kbx_gmk_setup(unsigned int abi, const gmk_floc *floc);
KBX_EXPORT void kbx_gmk_unload(void);
#else
KBX_EXPORT int kbx_gmk_setup(const gmk_floc *floc);
#endif

/* The message of the function that is stopping Make: handed to $(error)
 * through $(kbx-last-error ) so that a '$' in a path is never expanded. */
static char last_error[sizeof(((struct kbx_err *)0)->msg) + 64];

static char *make_string(const char *s, size_t len)
{
	char *r;

	if (len == 0)
		return NULL;
	r = gmk_alloc((unsigned)len + 1);
	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

static char *kbx_last_error(const char *name, unsigned argc, char **argv)
{
	(void)name;
	(void)argc;
	(void)argv;
	return make_string(last_error, strlen(last_error));
}

/* Warnings (an unusable cache) go through $(warning), the same way. */
static char last_warning[1100];

static char *kbx_last_warning(const char *name, unsigned argc, char **argv)
{
	(void)name;
	(void)argc;
	(void)argv;
	return make_string(last_warning, strlen(last_warning));
}

static void make_warning(const char *msg)
{
	snprintf(last_warning, sizeof(last_warning), "kbx: %s", msg);
	gmk_free(gmk_expand("$(warning $(kbx-last-warning ))"));
}

/* Make hands arguments as written after the comma: "$(kbx-sym m, x)". */
static char *trim(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return strndup(s, n);
}

static void stop_make(const char *name, const char *msg)
{
	char *r;

	snprintf(last_error, sizeof(last_error), "%s: %s", name, msg);
	r = gmk_expand("$(error $(kbx-last-error ))");
	gmk_free(r); /* not reached: $(error) does not return */
}

static char *call_function(const char *name, unsigned argc, char **argv)
{
	const struct kbx_function *f = kbx_function_find(name + 4);
	char *args[256];
	struct kbx_err err = { { 0 } };
	struct kbx_out out;
	char *result = NULL;
	unsigned i;
	int rc;

	if (!f || argc > 255)
		return NULL;
	for (i = 0; i < argc; i++)
		if (!(args[i] = f->flags & KBX_FN_RAW ? strdup(argv[i])
						      : trim(argv[i])))
			break;
	kbx_out_init(&out);
	if (i < argc) {
		kbx_fail(&err, NULL, "out of memory");
		rc = -1;
	} else {
		rc = f->fn(argc, args, &out, &err);
	}
	if (rc == 0 && out.oom)
		rc = kbx_fail(&err, NULL, "out of memory");
	if (rc == 0)
		result = make_string(kbx_out_str(&out), out.len);
	kbx_out_free(&out);
	while (i--)
		free(args[i]);
	if (rc)
		stop_make(name, err.msg);
	return result;
}

/* Make 4.3 keeps the name pointer it is given: names must outlive setup. */
static char function_names[64][32];

static int register_functions(void)
{
	const struct kbx_function *f;
	size_t i = 0;

	for (f = kbx_functions; f->name && i < 64; f++, i++) {
		char *name = function_names[i];

		snprintf(name, sizeof(function_names[i]), "kbx-%s", f->name);
		gmk_add_function(name, call_function, f->min_args, f->max_args,
				 GMK_FUNC_DEFAULT);
	}
	gmk_add_function("kbx-last-error", kbx_last_error, 0, 0,
			 GMK_FUNC_DEFAULT);
	gmk_add_function("kbx-last-warning", kbx_last_warning, 0, 0,
			 GMK_FUNC_DEFAULT);
	kbx_warn_hook = make_warning;
	/* the probe cache's hit counts reach stats.log when make ends */
	atexit(kbx_cache_flush_stats);
	return 1;
}

#ifdef GMK_ABI_VERSION
/* Make 4.5's ABI: the version comes first, and objects may be unloaded. */
KBX_EXPORT int kbx_gmk_setup(unsigned int abi, const gmk_floc *floc)
{
	(void)abi;
	(void)floc;
	return register_functions();
}

KBX_EXPORT void kbx_gmk_unload(void)
{
	kbx_index_drop_all();
}
#else
KBX_EXPORT int kbx_gmk_setup(const gmk_floc *floc)
{
	(void)floc;
	return register_functions();
}
#endif
