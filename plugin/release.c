/* Kernel releases: the "Linux version" banner inside a kernel, and the
 * release a build or headers directory was configured for. */
#include <stdio.h>
#include <string.h>

#include "kbx.h"

#define BANNER "Linux version "
#define BANNER_LEN (sizeof(BANNER) - 1)
/* How far back a chunk boundary may have cut a banner's start. */
#define BANNER_OVERLAP 256

static int release_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_' ||
	       c == '+' || c == '~';
}

/* The banner is "Linux version <release> (<user>@<host>) ...": a release
 * token followed by " (" tells it from the printk format strings. */
int kbx_banner_find(const unsigned char *buf, size_t len, size_t from,
		    char *release, size_t size)
{
	const unsigned char *p, *end = buf + len;

	from = from > BANNER_OVERLAP ? from - BANNER_OVERLAP : 0;
	p = buf + from;
	while ((p = memmem(p, (size_t)(end - p), BANNER, BANNER_LEN))) {
		const unsigned char *r = p + BANNER_LEN, *q = r;

		while (q < end && release_char(*q) && q - r < 127)
			q++;
		if (q > r && end - q >= 2 && q[0] == ' ' && q[1] == '(') {
			size_t n = (size_t)(q - r);

			if (n >= size)
				n = size - 1;
			memcpy(release, r, n);
			release[n] = '\0';
			return 1;
		}
		p++;
	}
	return 0;
}

static int read_small_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* utsrelease.h is what the build compiles into banners and vermagic;
 * Debian's headers packages carry a kernel.release that differs from it
 * (6.1.192 beside UTS_RELEASE "6.1.0-56-amd64"), so it wins when present. */
int kbx_dir_release(const char *dir, struct kbx_out *out, struct kbx_err *err)
{
	char path[4096], buf[512], *p, *q;

	snprintf(path, sizeof(path), "%s/include/generated/utsrelease.h", dir);
	if (read_small_file(path, buf, sizeof(buf)) == 0 &&
	    (p = strstr(buf, "UTS_RELEASE \"")) && (q = strchr(p + 13, '"'))) {
		kbx_out_put(out, p + 13, (size_t)(q - p - 13));
		return 0;
	}
	snprintf(path, sizeof(path), "%s/include/config/kernel.release", dir);
	if (read_small_file(path, buf, sizeof(buf)) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0]) {
			kbx_out_puts(out, buf);
			return 0;
		}
	}
	return kbx_fail(err, dir,
			"not a configured kernel build directory (no "
			"include/config/kernel.release): run 'make "
			"prepare' or install the linux-headers package");
}
