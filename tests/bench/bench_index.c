/* Times building the symbol index of a map (best of 5), in milliseconds. */
#include <stdio.h>
#include <time.h>

#include "../../plugin/kbx.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	double best = 1e9;
	size_t n = 0;
	int i;

	if (argc != 2)
		return 2;
	for (i = 0; i < 5; i++) {
		struct kbx_err err;
		double t0 = now_ms(), t;
		struct kbx_symmap *m = kbx_symmap_load(argv[1], &err);

		if (!m) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		t = now_ms() - t0;
		n = kbx_symmap_count(m);
		kbx_symmap_free(m);
		if (t < best)
			best = t;
	}
	printf("%zu %.2f\n", n, best);
	return 0;
}
