/* libFuzzer: the try-run commands Kbuild hands kbx, as any makefile could
 * write them. kbx only keys them (it never runs one here): the tool named
 * must be words of the command, in a buffer that never overflows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmd, *buf, *w, *save = NULL;
	size_t bufsize;

	/* the first byte is the buffer size (small ones hit the bounds), the
	 * rest the command */
	if (size == 0)
		return 0;
	bufsize = data[0];
	data++;
	size--;
	cmd = malloc(size + 1);
	buf = malloc(bufsize ? bufsize : 1);
	if (!cmd || !buf)
		abort();
	memcpy(cmd, data, size);
	cmd[size] = '\0';
	if (kbx_kbuild_probe_tool(cmd, buf, bufsize)) {
		if (!buf[0] || strlen(buf) >= bufsize)
			abort();
		for (w = strtok_r(buf, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			if (!strstr(cmd, w) || w[0] == '-')
				abort();
	}
	free(buf);
	free(cmd);
	return 0;
}
