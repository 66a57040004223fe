/* The persistent probe cache: one small file per probe under
 * $(KBX_CACHE_DIR)/probes, named by the SHA-256 of its key and holding the
 * key, the answer and a checksum. The key carries the identity of every
 * program that decides the answer, so a replaced or touched compiler
 * simply misses. Files are written to a temporary name and renamed, so
 * concurrent Makes never read half an entry; one that is damaged anyway
 * fails its checksum, is ignored and rewritten. An unwritable directory
 * costs one warning and the probes run uncached. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbx.h"

#define ENTRY_MAGIC "kbx-probe 1\n"
#define ENTRY_MAX 65536

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char cache_dir[4096];
static int cache_state; /* 0 unknown, 1 usable, -1 off or unusable */
static int warned;
static unsigned long stat_hits, stat_misses, stat_writes;

kbx_warn_fn kbx_warn_hook;

void kbx_warn(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kbx_warn_hook)
		kbx_warn_hook(msg);
	else
		fprintf(stderr, "kbx: warning: %s\n", msg);
}

/* OpenSSL's default start reads openssl.cnf and registers a cleanup at
 * exit: together most of what a warm probe costs in a no-op make (make
 * bench). A hash needs neither. */
static void start_openssl(void)
{
	OPENSSL_init_crypto(
		OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	static pthread_once_t started = PTHREAD_ONCE_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	pthread_once(&started, start_openssl);
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < n && i < 32; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[2 * i] = '\0';
}

const char *kbx_cache_dir(void)
{
	const char *d = getenv("KBX_CACHE_DIR"), *xdg, *home;

	if (d && *d)
		snprintf(cache_dir, sizeof(cache_dir), "%s", d);
	else if ((xdg = getenv("XDG_CACHE_HOME")) && *xdg)
		snprintf(cache_dir, sizeof(cache_dir), "%s/kbx", xdg);
	else if ((home = getenv("HOME")) && *home)
		snprintf(cache_dir, sizeof(cache_dir), "%s/.cache/kbx", home);
	else
		return NULL;
	return cache_dir;
}

static int mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

/* Decided once per process: KBX_CACHE=0, or a directory we cannot write
 * (root-owned after a sudo make, read-only home), turns the cache off. */
static int cache_usable(void)
{
	char probes[4200];
	const char *off = getenv("KBX_CACHE");

	if (cache_state)
		return cache_state > 0;
	cache_state = -1;
	if (off && strcmp(off, "0") == 0)
		return 0;
	if (!kbx_cache_dir())
		return 0;
	snprintf(probes, sizeof(probes), "%s/probes", cache_dir);
	if (mkdir_p(probes) || access(probes, W_OK | X_OK)) {
		if (!warned++)
			kbx_warn("cache directory %s is not usable (%s): "
				 "probing without a cache",
				 probes, strerror(errno));
		return 0;
	}
	cache_state = 1;
	return 1;
}

static void entry_path(const char *key, char *path, size_t size)
{
	char hex[65];

	sha256_hex(key, strlen(key), hex);
	snprintf(path, size, "%s/probes/%.32s", cache_dir, hex);
}

static void entry_sum(const char *key, const char *value, char hex[65])
{
	size_t kl = strlen(key), vl = strlen(value);
	char *buf = malloc(kl + vl + 2);

	if (!buf) {
		hex[0] = '\0';
		return;
	}
	memcpy(buf, key, kl + 1);
	memcpy(buf + kl + 1, value, vl + 1);
	sha256_hex(buf, kl + vl + 2, hex);
	free(buf);
}

/* An entry is "magic, key, value, checksum", one per line; anything else
 * (truncated, edited, another key's file) is a miss. */
static char *parse_entry(char *buf, const char *key)
{
	char *k, *v, *sum, *end, hex[65];

	if (strncmp(buf, ENTRY_MAGIC, strlen(ENTRY_MAGIC)) != 0)
		return NULL;
	k = buf + strlen(ENTRY_MAGIC);
	if (!(v = strchr(k, '\n')))
		return NULL;
	*v++ = '\0';
	if (!(sum = strchr(v, '\n')))
		return NULL;
	*sum++ = '\0';
	if (!(end = strchr(sum, '\n')) || end[1])
		return NULL;
	*end = '\0';
	if (strcmp(k, key) != 0)
		return NULL;
	entry_sum(key, v, hex);
	return strcmp(hex, sum) == 0 ? v : NULL;
}

int kbx_cache_get(const char *key, char **value)
{
	char path[4300], *buf, *v;
	ssize_t n;
	int fd, hit = 0;

	*value = NULL;
	pthread_mutex_lock(&cache_lock);
	if (!cache_usable()) {
		pthread_mutex_unlock(&cache_lock);
		return 0;
	}
	entry_path(key, path, sizeof(path));
	pthread_mutex_unlock(&cache_lock);
	buf = malloc(ENTRY_MAX + 1);
	fd = buf ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		n = read(fd, buf, ENTRY_MAX);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			v = parse_entry(buf, key);
			if (v && (*value = strdup(v)))
				hit = 1;
		}
	}
	free(buf);
	pthread_mutex_lock(&cache_lock);
	hit ? stat_hits++ : stat_misses++;
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

void kbx_cache_put(const char *key, const char *value)
{
	char path[4300], tmp[4400], sum[65];
	FILE *f;
	int fd;

	if (strchr(value, '\n') || strlen(key) + strlen(value) > ENTRY_MAX / 2)
		return;
	pthread_mutex_lock(&cache_lock);
	if (!cache_usable()) {
		pthread_mutex_unlock(&cache_lock);
		return;
	}
	entry_path(key, path, sizeof(path));
	pthread_mutex_unlock(&cache_lock);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		if (!warned++)
			kbx_warn("cannot write to %s/probes (%s): answers are "
				 "not cached",
				 cache_dir, strerror(errno));
		return;
	}
	entry_sum(key, value, sum);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return;
	}
	fprintf(f, "%s%s\n%s\n%s\n", ENTRY_MAGIC, key, value, sum);
	if (fclose(f) != 0 || chmod(tmp, 0644) || rename(tmp, path) != 0) {
		unlink(tmp);
		return;
	}
	pthread_mutex_lock(&cache_lock);
	stat_writes++;
	pthread_mutex_unlock(&cache_lock);
}

/* This process's counts, appended to stats.log when it ends (one write of
 * one line: O_APPEND keeps concurrent Makes' lines whole). */
void kbx_cache_flush_stats(void)
{
	char path[4300], line[128];
	int fd, n;

	if (cache_state <= 0 || (!stat_hits && !stat_misses))
		return;
	snprintf(path, sizeof(path), "%s/stats.log", cache_dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%lu %lu %lu\n", stat_hits,
		     stat_misses, stat_writes);
	if (write(fd, line, (size_t)n) != n)
		(void)0; /* statistics only */
	close(fd);
	stat_hits = stat_misses = stat_writes = 0;
}

void kbx_cache_reset(void)
{
	pthread_mutex_lock(&cache_lock);
	cache_state = 0;
	warned = 0;
	pthread_mutex_unlock(&cache_lock);
}

static int each_entry(int (*fn)(const char *path, const struct stat *st,
				void *ctx),
		      void *ctx)
{
	char dir[4200], path[4500];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/probes", cache_dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			fn(path, &st, ctx);
	}
	closedir(d);
	return 0;
}

struct cache_totals {
	unsigned long entries, bytes;
};

static int count_entry(const char *path, const struct stat *st, void *ctx)
{
	struct cache_totals *t = ctx;

	(void)path;
	t->entries++;
	t->bytes += (unsigned long)st->st_size;
	return 0;
}

int kbx_cache_stats(struct kbx_out *out, struct kbx_err *err)
{
	struct cache_totals t = { 0, 0 };
	unsigned long h = 0, m = 0, w = 0, a, b, c;
	char path[4300];
	FILE *f;

	if (!kbx_cache_dir())
		return kbx_fail(err, NULL,
				"no cache directory: set "
				"KBX_CACHE_DIR or HOME");
	if (each_entry(count_entry, &t))
		return kbx_fail(err, cache_dir, "%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/stats.log", cache_dir);
	f = fopen(path, "r");
	while (f && fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3) {
		h += a;
		m += b;
		w += c;
	}
	if (f)
		fclose(f);
	kbx_out_printf(out,
		       "cache: %s\nentries: %lu (%lu bytes)\nhits: %lu\n"
		       "misses: %lu\nwrites: %lu",
		       cache_dir, t.entries, t.bytes, h, m, w);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, void *ctx)
{
	(void)st;
	(*(unsigned long *)ctx)++;
	return unlink(path);
}

int kbx_cache_clear(struct kbx_out *out, struct kbx_err *err)
{
	unsigned long n = 0;
	char path[4300];

	if (!kbx_cache_dir())
		return kbx_fail(err, NULL,
				"no cache directory: set "
				"KBX_CACHE_DIR or HOME");
	if (each_entry(remove_entry, &n))
		return kbx_fail(err, cache_dir, "%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/stats.log", cache_dir);
	unlink(path);
	kbx_out_printf(out, "removed %lu entries from %s/probes", n, cache_dir);
	return 0;
}
