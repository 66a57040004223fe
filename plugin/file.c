/* Mapping files read-only and keeping each parsed index once per process. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbx.h"

static void file_id_from_stat(struct kbx_file_id *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime_ns =
		(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int stat_regular(const char *path, const struct stat *st,
			struct kbx_err *err)
{
	if (S_ISDIR(st->st_mode))
		return kbx_fail(err, path, "is a directory, not a file");
	if (!S_ISREG(st->st_mode))
		return kbx_fail(err, path, "not a regular file");
	return 0;
}

int kbx_map_file(const char *path, struct kbx_map *map, struct kbx_err *err)
{
	struct stat st;
	void *p;
	int fd;

	memset(map, 0, sizeof(*map));
	if (!path || !*path)
		return kbx_fail(err, NULL, "missing file name argument");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kbx_fail(err, path, "%s", strerror(errno));
	if (fstat(fd, &st) || stat_regular(path, &st, err)) {
		if (!err->msg[0])
			kbx_fail(err, path, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	file_id_from_stat(&map->id, &st);
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return kbx_fail(err, path, "cannot map: %s", strerror(errno));
	map->data = p;
	map->len = (size_t)st.st_size;
	return 0;
}

void kbx_unmap_file(struct kbx_map *map)
{
	if (map->data)
		munmap((void *)map->data, map->len);
	map->data = NULL;
	map->len = 0;
}

/* The per-process cache: a short list, since a Makefile names few files.
 * check-modules reads it from several threads, hence the lock. */
struct index_entry {
	char *path;
	enum kbx_index_kind kind;
	struct kbx_file_id id;
	void *index;
	kbx_index_free_fn free_fn;
	struct index_entry *next;
};

static struct index_entry *index_list;
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;

static int same_id(const struct kbx_file_id *a, const struct kbx_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

static struct index_entry *index_find(const char *path,
				      enum kbx_index_kind kind)
{
	struct index_entry *e;

	for (e = index_list; e; e = e->next)
		if (e->kind == kind && strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

static void *index_rebuild(struct index_entry *e, const char *path,
			   const struct kbx_file_id *id, kbx_index_load_fn load,
			   struct kbx_err *err)
{
	void *index = load(path, err);

	if (!index)
		return NULL;
	if (e->index)
		e->free_fn(e->index);
	e->index = index;
	e->id = *id;
	return index;
}

void *kbx_index_get(const char *path, enum kbx_index_kind kind,
		    kbx_index_load_fn load, kbx_index_free_fn free_fn,
		    struct kbx_err *err)
{
	struct index_entry *e;
	struct kbx_file_id id;
	struct stat st;
	void *index;

	if (!path || !*path)
		return kbx_fail(err, NULL, "missing file name argument"), NULL;
	if (stat(path, &st))
		return kbx_fail(err, path, "%s", strerror(errno)), NULL;
	if (stat_regular(path, &st, err))
		return NULL;
	file_id_from_stat(&id, &st);

	pthread_mutex_lock(&index_lock);
	e = index_find(path, kind);
	if (e && same_id(&e->id, &id)) {
		index = e->index;
		pthread_mutex_unlock(&index_lock);
		return index;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->path = strdup(path))) {
			free(e);
			pthread_mutex_unlock(&index_lock);
			return kbx_fail(err, path, "out of memory"), NULL;
		}
		e->kind = kind;
		e->free_fn = free_fn;
		e->next = index_list;
		index_list = e;
	}
	index = index_rebuild(e, path, &id, load, err);
	pthread_mutex_unlock(&index_lock);
	return index;
}

void kbx_index_drop_all(void)
{
	struct index_entry *e, *next;

	pthread_mutex_lock(&index_lock);
	for (e = index_list; e; e = next) {
		next = e->next;
		if (e->index)
			e->free_fn(e->index);
		free(e->path);
		free(e);
	}
	index_list = NULL;
	pthread_mutex_unlock(&index_lock);
}
