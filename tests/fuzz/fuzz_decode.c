/* libFuzzer: kbx decode over arbitrary oops text with a fixed map. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char map[] = "ffffffff81000000 T _stext\n"
				  "ffffffff81000100 T start_kernel\n"
				  "ffffffff81000400 T _etext\n";
	struct kbx_symmap *m;
	struct kbx_err err;
	int in[2], out[2];

	if (size > 60000)
		return 0; /* stays within the pipe buffer: no writer thread */
	m = kbx_symmap_parse_text("map", (const unsigned char *)map,
				  strlen(map), &err);
	if (!m || pipe(in) || pipe(out))
		abort();
	fcntl(out[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(in[1], F_SETPIPE_SZ, 1 << 20);
	if (write(in[1], data, size) != (ssize_t)size)
		abort();
	close(in[1]);
	kbx_decode_stream(m, in[0], out[1], &err);
	close(in[0]);
	close(out[1]);
	close(out[0]);
	kbx_symmap_free(m);
	return 0;
}
