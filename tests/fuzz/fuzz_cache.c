/* libFuzzer: probe cache entries as another process (or a full disk)
 * might have left them: each input replaces the entry of one key. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugin/kbx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char entry[512];
static char dir[] = "/tmp/kbx-fuzz-cache-XXXXXX";

static void remove_dir(void)
{
	char path[128];

	unlink(entry);
	snprintf(path, sizeof(path), "%s/stats.log", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/probes", dir);
	rmdir(path);
	rmdir(dir);
}

/* The file kbx itself wrote for the key, found once. */
static void find_entry(void)
{
	char probes[128];
	struct dirent *de;
	DIR *d;

	if (!mkdtemp(dir))
		abort();
	setenv("KBX_CACHE_DIR", dir, 1);
	kbx_cache_put("cc-option\x1fgcc\x1f-O2", "y");
	snprintf(probes, sizeof(probes), "%s/probes", dir);
	d = opendir(probes);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			snprintf(entry, sizeof(entry), "%s/%s", probes,
				 de->d_name);
	if (d)
		closedir(d);
	if (!entry[0])
		abort();
	atexit(remove_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value;
	FILE *f;

	if (!entry[0])
		find_entry();
	f = fopen(entry, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (kbx_cache_get("cc-option\x1fgcc\x1f-O2", &value))
		free(value);
	return 0;
}
