/* What modpost and the module loader would reject about a module's
 * imports: no exporter, GPL-only exports in a non-GPL module, CRCs that
 * differ from __versions, namespaces not imported. */
#include <string.h>

#include "kbx.h"

static const struct kbx_symvers_entry *
find_export(struct kbx_symvers *const *symvers, size_t n, const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < n; i++) {
		const struct kbx_symvers_entry *e =
			kbx_symvers_find(symvers[i], name, len);

		if (e)
			return e;
	}
	return NULL;
}

static size_t report(kbx_problem_fn fn, void *ctx, enum kbx_problem_kind kind,
		     const struct kbx_ko_import *imp,
		     const struct kbx_symvers_entry *e)
{
	struct kbx_problem p = {
		.kind = kind,
		.symbol = imp->name,
		.export = e,
		.module_crc = imp->crc,
	};

	fn(ctx, &p);
	return 1;
}

/* Module.symvers has a zero CRC for every symbol of a kernel built
 * without CONFIG_MODVERSIONS: there is nothing to compare then. */
static int crc_differs(const struct kbx_ko_import *imp,
		       const struct kbx_symvers_entry *e)
{
	return imp->has_crc && e->crc != 0 && imp->crc != e->crc;
}

size_t kbx_ko_check_imports(const struct kbx_ko *ko,
			    struct kbx_symvers *const *symvers, size_t n,
			    kbx_problem_fn fn, void *ctx)
{
	int gpl = kbx_license_is_gpl_compatible(ko->license);
	size_t i, problems = 0;

	for (i = 0; i < ko->n_imports; i++) {
		const struct kbx_ko_import *imp = &ko->imports[i];
		const struct kbx_symvers_entry *e =
			find_export(symvers, n, imp->name);

		if (!e) {
			/* A weak reference may stay unresolved (modpost). */
			if (!imp->weak)
				problems +=
					report(fn, ctx, KBX_PROBLEM_UNEXPORTED,
					       imp, NULL);
			continue;
		}
		if (!gpl && kbx_symvers_export_is_gpl(e))
			problems +=
				report(fn, ctx, KBX_PROBLEM_GPL_ONLY, imp, e);
		if (crc_differs(imp, e))
			problems += report(fn, ctx, KBX_PROBLEM_CRC, imp, e);
		if (e->ns_len && !kbx_ko_imports_ns(ko, e->ns, e->ns_len))
			problems +=
				report(fn, ctx, KBX_PROBLEM_NAMESPACE, imp, e);
	}
	return problems;
}

void kbx_problem_word(const struct kbx_problem *p, struct kbx_out *out)
{
	if (out->len)
		kbx_out_put(out, " ", 1);
	kbx_out_puts(out, p->symbol);
	switch (p->kind) {
	case KBX_PROBLEM_UNEXPORTED:
		break;
	case KBX_PROBLEM_GPL_ONLY:
		kbx_out_puts(out, ":gpl-only");
		break;
	case KBX_PROBLEM_CRC:
		kbx_out_puts(out, ":crc");
		break;
	case KBX_PROBLEM_NAMESPACE:
		kbx_out_printf(out, ":ns=%.*s", (int)p->export->ns_len,
			       p->export->ns);
		break;
	}
}

static void put_exporter(const struct kbx_symvers_entry *e, struct kbx_out *out)
{
	kbx_out_printf(out, "%.*s", (int)e->module_len, e->module);
}

/* One sentence a module author can act on: what, who, and the fix. */
void kbx_problem_explain(const struct kbx_problem *p, const struct kbx_ko *ko,
			 struct kbx_out *out)
{
	switch (p->kind) {
	case KBX_PROBLEM_UNEXPORTED:
		kbx_out_printf(out,
			       "%s: needs \"%s\", which nothing given "
			       "exports (add the providing module's "
			       "Module.symvers, e.g. through MODULE_DEPS or "
			       "KBUILD_EXTRA_SYMBOLS)",
			       ko->path, p->symbol);
		break;
	case KBX_PROBLEM_GPL_ONLY:
		kbx_out_printf(out,
			       "%s: uses GPL-only symbol \"%s\" (exported by ",
			       ko->path, p->symbol);
		put_exporter(p->export, out);
		kbx_out_printf(out,
			       ") but its MODULE_LICENSE is \"%s\", which is "
			       "not GPL-compatible",
			       ko->license[0] ? ko->license : "(none)");
		break;
	case KBX_PROBLEM_CRC:
		kbx_out_printf(out,
			       "%s: disagrees about the version of \"%s\": "
			       "module has 0x%08x, ",
			       ko->path, p->symbol, p->module_crc);
		put_exporter(p->export, out);
		kbx_out_printf(out,
			       " exports 0x%08x (rebuild it against matching "
			       "headers)",
			       p->export->crc);
		break;
	case KBX_PROBLEM_NAMESPACE:
		kbx_out_printf(out,
			       "%s: uses \"%s\" from namespace %.*s without "
			       "importing it (add MODULE_IMPORT_NS(%.*s))",
			       ko->path, p->symbol, (int)p->export->ns_len,
			       p->export->ns, (int)p->export->ns_len,
			       p->export->ns);
		break;
	}
}
