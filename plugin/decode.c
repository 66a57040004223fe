/* kbx decode: an oops or stack dump with every kernel text address
 * annotated "symbol+0xOFF/0xSIZE", as scripts/decode_stacktrace.sh does
 * for function offsets. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbx.h"

/* Register values and short numbers are no addresses: 8 to 16 digits. */
#define MIN_ADDR_DIGITS 8

static int is_word_char(int c)
{
	return isalnum(c) || c == '_';
}

static size_t hex_run(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isxdigit((unsigned char)s[i]))
		i++;
	return i;
}

/* Annotates one line into OUT. */
static void decode_line(const struct kbx_symmap *map, const char *line,
			size_t len, struct kbx_out *out)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i, digits, end;
		struct kbx_out sym;
		uint64_t addr;

		if (i + 2 < len && line[i] == '0' &&
		    (line[i + 1] | 0x20) == 'x')
			i += 2;
		digits = hex_run(line + i, len - i);
		end = i + digits;
		if (digits < MIN_ADDR_DIGITS || digits > 16 ||
		    (start > 0 &&
		     is_word_char((unsigned char)line[start - 1])) ||
		    (end < len && is_word_char((unsigned char)line[end])) ||
		    kbx_parse_hex(line + i, digits, &addr)) {
			size_t step = digits ? end - start : 1;

			kbx_out_put(out, line + start, step);
			i = start + step;
			continue;
		}
		kbx_out_put(out, line + start, end - start);
		if (end + 1 < len && line[end] == '>' && line[end + 1] == ']') {
			kbx_out_put(out, ">]", 2);
			end += 2;
		}
		kbx_out_init(&sym);
		if (kbx_symmap_addr2text(map, addr, &sym))
			kbx_out_printf(out, " (%s)", kbx_out_str(&sym));
		kbx_out_free(&sym);
		i = end;
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int kbx_decode_stream(const struct kbx_symmap *map, int in_fd, int out_fd,
		      struct kbx_err *err)
{
	FILE *in = fdopen(dup(in_fd), "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (!in)
		return kbx_fail(err, "standard input", "%s", strerror(errno));
	while ((n = getline(&line, &cap, in)) >= 0) {
		struct kbx_out out;

		kbx_out_init(&out);
		decode_line(map, line, (size_t)n, &out);
		if (out.oom || write_all(out_fd, kbx_out_str(&out), out.len)) {
			kbx_out_free(&out);
			rc = kbx_fail(err, "standard output", "write failed");
			break;
		}
		kbx_out_free(&out);
	}
	free(line);
	fclose(in);
	return rc;
}
