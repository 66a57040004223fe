/* kbx report: one line per artifact with its format, ARCH, size, release
 * and whether it verified (or its first problem), columns aligned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbx.h"

struct row {
	const char *path;
	char format[16], arch[16], size[24], release[128];
	char status[1100];
	int ok;
};

static void human_size(uint64_t n, char *buf, size_t size)
{
	if (n >= 1u << 20)
		snprintf(buf, size, "%.1fM", (double)n / (1 << 20));
	else if (n >= 1u << 10)
		snprintf(buf, size, "%.1fK", (double)n / (1 << 10));
	else
		snprintf(buf, size, "%llu", (unsigned long long)n);
}

static void fill_dir_row(struct row *r)
{
	struct kbx_out rel;
	struct kbx_err err;

	snprintf(r->format, sizeof(r->format), "kdir");
	kbx_out_init(&rel);
	if (kbx_dir_release(r->path, &rel, &err) == 0) {
		snprintf(r->release, sizeof(r->release), "%s",
			 kbx_out_str(&rel));
		snprintf(r->status, sizeof(r->status), "ok");
		r->ok = 1;
	} else {
		snprintf(r->status, sizeof(r->status), "%s", err.msg);
	}
	kbx_out_free(&rel);
}

static void fill_row(struct row *r)
{
	struct kbx_err err = { { 0 } };
	struct kbx_map map;
	struct kbx_image img;
	struct kbx_out rel;
	struct stat st;

	snprintf(r->format, sizeof(r->format), "-");
	snprintf(r->arch, sizeof(r->arch), "-");
	snprintf(r->size, sizeof(r->size), "-");
	snprintf(r->release, sizeof(r->release), "-");
	if (stat(r->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fill_dir_row(r);
		return;
	}
	if (kbx_map_file(r->path, &map, &err)) {
		snprintf(r->format, sizeof(r->format), "missing");
		snprintf(r->status, sizeof(r->status), "%s", err.msg);
		return;
	}
	snprintf(r->format, sizeof(r->format), "%s",
		 kbx_format_name(kbx_identify(map.data, map.len)));
	human_size(map.len, r->size, sizeof(r->size));
	if (kbx_image_parse(r->path, map.data, map.len, &img, &err) == 0) {
		if (img.arch)
			snprintf(r->arch, sizeof(r->arch), "%s", img.arch);
		kbx_out_init(&rel);
		if (kbx_image_release(&img, &rel, &err) == 0 && rel.len)
			snprintf(r->release, sizeof(r->release), "%s",
				 kbx_out_str(&rel));
		kbx_out_free(&rel);
		err.msg[0] = '\0';
		kbx_image_verify(&img, NULL, &err);
	}
	r->ok = !err.msg[0];
	snprintf(r->status, sizeof(r->status), "%s", r->ok ? "ok" : err.msg);
	kbx_unmap_file(&map);
}

static void widen(int *w, const char *s)
{
	int n = (int)strlen(s);

	if (n > *w)
		*w = n;
}

/* The table into OUT; returns how many rows have a problem. */
int kbx_report_text(char **paths, size_t n, struct kbx_out *out,
		    struct kbx_err *err)
{
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	int wp = 4, wf = 6, wa = 4, ws = 4, wr = 7, bad = 0;
	size_t i;

	if (!rows)
		return kbx_fail(err, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		rows[i].path = paths[i];
		fill_row(&rows[i]);
		widen(&wp, rows[i].path);
		widen(&wf, rows[i].format);
		widen(&wa, rows[i].arch);
		widen(&ws, rows[i].size);
		widen(&wr, rows[i].release);
		bad += !rows[i].ok;
	}
	kbx_out_printf(out, "%-*s  %-*s  %-*s  %*s  %-*s  %s", wp, "FILE", wf,
		       "FORMAT", wa, "ARCH", ws, "SIZE", wr, "RELEASE",
		       "VERIFIED");
	for (i = 0; i < n; i++)
		kbx_out_printf(out, "\n%-*s  %-*s  %-*s  %*s  %-*s  %s", wp,
			       rows[i].path, wf, rows[i].format, wa,
			       rows[i].arch, ws, rows[i].size, wr,
			       rows[i].release, rows[i].status);
	free(rows);
	return bad;
}

int kbx_report(char **paths, size_t n, int out_fd, struct kbx_err *err)
{
	struct kbx_out out;
	int bad;
	FILE *f;

	kbx_out_init(&out);
	bad = kbx_report_text(paths, n, &out, err);
	f = bad < 0 ? NULL : fdopen(dup(out_fd), "w");
	if (f) {
		fprintf(f, "%s\n", kbx_out_str(&out));
		fclose(f);
	} else if (bad >= 0) {
		bad = kbx_fail(err, NULL, "cannot write the report");
	}
	kbx_out_free(&out);
	return bad;
}
