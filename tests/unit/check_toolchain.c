/* Check unit tests of child processes and the persistent probe cache,
 * run under ASan and UBSan. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../plugin/kbx.h"

Suite *toolchain_suite(void);

static struct kbx_err err;

START_TEST(test_run_feeds_stdin_captures_stdout_and_hides_stderr)
{
	char *argv[] = { "sh", "-c", "cat; echo oops >&2; exit 3", NULL };
	struct kbx_run run;

	ck_assert_int_eq(kbx_run(argv, "hello\n", 1, 5000, &run, &err), 0);
	ck_assert_int_eq(run.status, 3);
	ck_assert_str_eq(run.out, "hello\n");
	kbx_run_free(&run);
}
END_TEST

START_TEST(test_run_kills_a_child_that_outlives_the_timeout)
{
	char *argv[] = { "sleep", "30", NULL };
	struct kbx_run run;
	time_t t0 = time(NULL);

	ck_assert_int_eq(kbx_run(argv, NULL, 0, 300, &run, &err), 0);
	ck_assert_int_eq(run.timed_out, 1);
	ck_assert_int_lt(time(NULL) - t0, 5);
	kbx_run_free(&run);
}
END_TEST

START_TEST(test_run_names_a_program_that_does_not_exist)
{
	char *argv[] = { "kbx-no-such-program", NULL };
	struct kbx_run run;

	ck_assert_int_eq(kbx_run(argv, NULL, 0, 1000, &run, &err), -1);
	ck_assert_int_eq(run.not_found, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "kbx-no-such-program: cannot "
					      "run"));
}
END_TEST

/* A fresh cache directory per test, through KBX_CACHE_DIR. */
static char cache[64];

static void fresh_cache(void)
{
	snprintf(cache, sizeof(cache), "/tmp/kbx-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(cache));
	setenv("KBX_CACHE_DIR", cache, 1);
	kbx_cache_reset();
}

static void drop_cache(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", cache);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv("KBX_CACHE_DIR");
	kbx_cache_reset();
}

/* The one entry file in the cache. */
static void entry_file(char *path, size_t size)
{
	char cmd[160];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/probes/*", cache);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(path, (int)size, p));
	path[strcspn(path, "\n")] = '\0';
	pclose(p);
}

START_TEST(test_cache_entry_round_trips_and_damage_is_a_miss)
{
	char *v, path[256];
	FILE *f;

	fresh_cache();
	ck_assert_int_eq(kbx_cache_get("k1", &v), 0);
	kbx_cache_put("k1", "-fno-PIE");
	ck_assert_int_eq(kbx_cache_get("k1", &v), 1);
	ck_assert_str_eq(v, "-fno-PIE");
	free(v);
	/* an edited value fails the checksum */
	entry_file(path, sizeof(path));
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, 16, SEEK_SET);
	fputc('X', f);
	fclose(f);
	ck_assert_int_eq(kbx_cache_get("k1", &v), 0);
	/* a truncated entry too; a rewrite makes it sound again */
	ck_assert_int_eq(truncate(path, 10), 0);
	ck_assert_int_eq(kbx_cache_get("k1", &v), 0);
	kbx_cache_put("k1", "-fno-PIE");
	ck_assert_int_eq(kbx_cache_get("k1", &v), 1);
	free(v);
	drop_cache();
}
END_TEST

START_TEST(test_cache_off_with_kbx_cache_0)
{
	char *v;

	fresh_cache();
	setenv("KBX_CACHE", "0", 1);
	kbx_cache_reset();
	kbx_cache_put("k2", "y");
	ck_assert_int_eq(kbx_cache_get("k2", &v), 0);
	unsetenv("KBX_CACHE");
	drop_cache();
}
END_TEST

/* kbx_kbuild_try_run's answer for CMD as a string (freed by the caller). */
static char *kbuild_try_run(const char *cmd, const char *yes, const char *no)
{
	struct kbx_out out;
	char *r;

	kbx_out_init(&out);
	ck_assert_int_eq(
		kbx_kbuild_try_run(cmd, yes, no, "/tmp/.kbx-unit-tmp_$$", &out),
		0);
	r = strdup(kbx_out_str(&out));
	kbx_out_free(&out);
	return r;
}

START_TEST(test_kbuild_try_run_answers_as_kbuild_echo_prints)
{
	char *r;

	fresh_cache();
	/* a keyed probe: blanks kept, the second answer from the cache */
	r = kbuild_try_run("gcc -Werror -c -x c /dev/null -o \"$TMP\"",
			   " -fyes ", "no");
	ck_assert_str_eq(r, " -fyes ");
	free(r);
	r = kbuild_try_run("gcc -Werror -c -x c /dev/null -o \"$TMP\"",
			   " -fyes ", "no");
	ck_assert_str_eq(r, " -fyes ");
	free(r);
	r = kbuild_try_run("gcc -Werror -fkbx-no-such-flag -c -x c /dev/null "
			   "-o \"$TMP\"",
			   "y", "n");
	ck_assert_str_eq(r, "n");
	free(r);
	/* shell syntax kbx does not key: run as Kbuild would, still right */
	r = kbuild_try_run("true; false", "y", "n");
	ck_assert_str_eq(r, "n");
	free(r);
	r = kbuild_try_run("test -d \"$(dirname $TMP)\"", "y", "n");
	ck_assert_str_eq(r, "y");
	free(r);
	/* an answer the shell's echo changes comes from the shell */
	r = kbuild_try_run("true", "a\\tb", "n");
	ck_assert_str_eq(r, "a\tb");
	free(r);
	r = kbuild_try_run("true", "$$", "n");
	ck_assert_str_ne(r, "$$");
	free(r);
	drop_cache();
}
END_TEST

/* What kbx keys a probe on: the tool the command runs, or nothing. */
static const char *probe_tool(const char *cmd, size_t size)
{
	static char buf[256];

	return kbx_kbuild_probe_tool(cmd, buf, size) ? buf : "(uncached)";
}

START_TEST(test_kbuild_probe_tool_is_the_program_the_probe_runs)
{
	ck_assert_str_eq(probe_tool("ccache aarch64-linux-gnu-gcc -Werror -c "
				    "-x c /dev/null -o \"$TMP\"",
				    256),
			 "ccache aarch64-linux-gnu-gcc");
	ck_assert_str_eq(probe_tool("printf \"%b\\n\" \"nop\" | gcc -c -x "
				    "assembler-with-cpp -o \"$TMP\" -",
				    256),
			 "gcc");
	ck_assert_str_eq(probe_tool("ld.lld -v --no-undefined", 256), "ld.lld");
	/* shell kbx cannot key soundly */
	ck_assert_str_eq(probe_tool("gcc $(CFLAGS) -c", 256), "(uncached)");
	ck_assert_str_eq(probe_tool("gcc -c `x`", 256), "(uncached)");
	ck_assert_str_eq(probe_tool("a | b | gcc", 256), "(uncached)");
	ck_assert_str_eq(probe_tool("gcc -c \"x", 256), "(uncached)");
	ck_assert_str_eq(probe_tool("gcc -c; rm x", 256), "(uncached)");
	ck_assert_str_eq(probe_tool("-c", 256), "(uncached)");
	/* a tool name that does not fit is not cut short */
	ck_assert_str_eq(probe_tool("aarch64-linux-gnu-gcc -c", 8), "(uncached"
								    ")");
	ck_assert_str_eq(probe_tool("gcc -c", 0), "(uncached)");
}
END_TEST

Suite *toolchain_suite(void)
{
	Suite *s = suite_create("toolchain");
	TCase *t = tcase_create("toolchain");

	tcase_set_timeout(t, 30);
	tcase_add_test(t,
		       test_run_feeds_stdin_captures_stdout_and_hides_stderr);
	tcase_add_test(t, test_run_kills_a_child_that_outlives_the_timeout);
	tcase_add_test(t, test_run_names_a_program_that_does_not_exist);
	tcase_add_test(t, test_cache_entry_round_trips_and_damage_is_a_miss);
	tcase_add_test(t, test_cache_off_with_kbx_cache_0);
	tcase_add_test(t, test_kbuild_try_run_answers_as_kbuild_echo_prints);
	tcase_add_test(t, test_kbuild_probe_tool_is_the_program_the_probe_runs);
	suite_add_tcase(s, t);
	return s;
}
