/* kbx core library: the one API both front ends (Make glue, CLI) call. */
#ifndef KBX_H
#define KBX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>


/* ---- errors and output (out.c) ---------------------------------------- */

/* A failed call leaves "PATH: REASON" here; the front end prefixes the
 * function or verb name, so the core never needs to know who called it. */
struct kbx_err {
	char msg[1024];
};

int kbx_fail(struct kbx_err *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Growable output buffer: what a function expands to. */
struct kbx_out {
	char *buf;
	size_t len, cap;
	int oom;
};

void kbx_out_init(struct kbx_out *out);
void kbx_out_free(struct kbx_out *out);
void kbx_out_put(struct kbx_out *out, const char *s, size_t n);
void kbx_out_puts(struct kbx_out *out, const char *s);
/* Append one word, separated from what is there by a single space. */
void kbx_out_word(struct kbx_out *out, const char *s, size_t n);
void kbx_out_printf(struct kbx_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *kbx_out_str(struct kbx_out *out);

/* Small string helpers shared by the parsers. */
int kbx_parse_hex(const char *s, size_t n, uint64_t *val);
size_t kbx_strnlen(const char *s, size_t max);
uint32_t kbx_name_hash(const char *s, size_t n);

/* ---- files and the per-process index cache (file.c) -------------------- */

/* What decides whether an index is still valid: a file that changes size,
 * mtime or inode is parsed again. */
struct kbx_file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
};

struct kbx_map {
	const unsigned char *data; /* read-only mapping; NULL when len == 0 */
	size_t len;
	struct kbx_file_id id;
};

int kbx_map_file(const char *path, struct kbx_map *map, struct kbx_err *err);
void kbx_unmap_file(struct kbx_map *map);

enum kbx_index_kind {
	KBX_INDEX_SYMMAP,
	KBX_INDEX_SYMVERS,
	KBX_INDEX_KO,
	KBX_INDEX_KINDS
};

typedef void *(*kbx_index_load_fn)(const char *path, struct kbx_err *err);
typedef void (*kbx_index_free_fn)(void *index);

/* The parsed index of PATH, built by LOAD on first use and again whenever
 * the file's identity changes; NULL with ERR set when it cannot be built.
 * The returned index stays valid until the next call for the same path. */
void *kbx_index_get(const char *path, enum kbx_index_kind kind,
		    kbx_index_load_fn load, kbx_index_free_fn free_fn,
		    struct kbx_err *err);
void kbx_index_drop_all(void);

/* ---- ELF symbols (elfsyms.c) ------------------------------------------- */

struct kbx_elf_sym {
	const char *name;
	uint64_t value, size;
	unsigned char bind, type;
	uint16_t shndx;
	char nm_type; /* the letter nm would print */
};

struct kbx_elf;

struct kbx_elf *kbx_elf_open(const char *path, const struct kbx_map *map,
			     struct kbx_err *err);
void kbx_elf_close(struct kbx_elf *elf);
int kbx_elf_class_bits(const struct kbx_elf *elf);
int kbx_elf_big_endian(const struct kbx_elf *elf);
unsigned kbx_elf_type(const struct kbx_elf *elf);
/* Calls FN for every symbol of .symtab (or .dynsym when stripped). */
int kbx_elf_each_sym(struct kbx_elf *elf,
		     int (*fn)(void *ctx, const struct kbx_elf_sym *sym),
		     void *ctx, struct kbx_err *err);
/* The bytes of the named section, bounds-checked against the file;
 * 0 with *data NULL when there is no such section. */
int kbx_elf_section(struct kbx_elf *elf, const char *name,
		    const unsigned char **data, size_t *len,
		    struct kbx_err *err);
int kbx_elf_section_at(struct kbx_elf *elf, size_t shndx,
		       const unsigned char **data, size_t *len,
		       struct kbx_err *err);
const char *kbx_elf_section_name(struct kbx_elf *elf, size_t shndx);

int kbx_is_elf(const unsigned char *data, size_t len);

/* ---- symbol maps: System.map, kallsyms, ELF (symmap.c) ------------------ */

struct kbx_symmap;

/* Parses a System.map or /proc/kallsyms text (PATH names it in errors). */
struct kbx_symmap *kbx_symmap_parse_text(const char *path,
					 const unsigned char *data,
					 size_t len, struct kbx_err *err);
/* Either form, told by the ELF magic; DATA must outlive the map. */
struct kbx_symmap *kbx_symmap_parse(const char *path, const unsigned char *data,
				    size_t len, struct kbx_err *err);
struct kbx_symmap *kbx_symmap_load(const char *path, struct kbx_err *err);
void kbx_symmap_free(struct kbx_symmap *map);
size_t kbx_symmap_count(const struct kbx_symmap *map);
/* Cached per process: the map of PATH, re-read when the file changes. */
struct kbx_symmap *kbx_symmap_get(const char *path, struct kbx_err *err);

/* Address of SYMBOL in the map's own notation; 0 when absent, 1 found. */
int kbx_symmap_lookup(const struct kbx_symmap *map, const char *symbol,
		      struct kbx_out *out);
/* "sym+0xOFF/0xSIZE [mod]" for ADDR; 0 when no symbol covers it. */
int kbx_symmap_addr2sym(const struct kbx_symmap *map, uint64_t addr,
			struct kbx_out *out);
/* The same, but only when the covering symbol is code (nm type t, T, w,
 * W): what an oops decoder wants for a number that may be data. */
int kbx_symmap_addr2text(const struct kbx_symmap *map, uint64_t addr,
			 struct kbx_out *out);

/* ---- Module.symvers (symvers.c) ---------------------------------------- */

struct kbx_symvers_entry {
	const char *name, *module, *export, *ns;
	uint16_t name_len, module_len, export_len, ns_len;
	uint32_t crc;
};

struct kbx_symvers;

struct kbx_symvers *kbx_symvers_parse(const char *path,
				      const unsigned char *data, size_t len,
				      struct kbx_err *err);
struct kbx_symvers *kbx_symvers_load(const char *path, struct kbx_err *err);
void kbx_symvers_free(struct kbx_symvers *sv);
struct kbx_symvers *kbx_symvers_get(const char *path, struct kbx_err *err);
size_t kbx_symvers_count(const struct kbx_symvers *sv);
const struct kbx_symvers_entry *
kbx_symvers_find(const struct kbx_symvers *sv, const char *name, size_t len);
int kbx_symvers_export_is_gpl(const struct kbx_symvers_entry *e);
/* A table built in memory (check-modules: the exports of the modules being
 * checked); entries' strings must outlive it. */
struct kbx_symvers *kbx_symvers_new(void);
int kbx_symvers_add(struct kbx_symvers *sv,
		    const struct kbx_symvers_entry *e);
int kbx_symvers_finish(struct kbx_symvers *sv);

/* ---- kernel modules (ko.c) --------------------------------------------- */

struct kbx_ko_import {
	const char *name;
	int weak;
	int has_crc;
	uint32_t crc;
};

struct kbx_ko_export {
	const char *name;
	int gpl;
	int has_crc;
	uint32_t crc;
	const char *ns; /* "" when none */
};

struct kbx_ko {
	char *path;
	char *modname;
	const char *license, *vermagic; /* "" when absent */
	int has_modinfo;
	int has_versions;
	int bits;
	/* .modinfo strings "key=value", in file order */
	const char **modinfo;
	size_t n_modinfo;
	struct kbx_ko_import *imports;
	size_t n_imports;
	struct kbx_ko_export *exports;
	size_t n_exports;
	char *arena;
};

struct kbx_ko *kbx_ko_load(const char *path, struct kbx_err *err);
/* The module in DATA, which must outlive it (fuzzing, tests). */
struct kbx_ko *kbx_ko_parse(const char *path, const unsigned char *data,
			    size_t len, struct kbx_err *err);
void kbx_ko_free(struct kbx_ko *ko);
struct kbx_ko *kbx_ko_get(const char *path, struct kbx_err *err);
/* Appends every value of KEY in .modinfo, one per line (modinfo -F). */
int kbx_ko_modinfo(const struct kbx_ko *ko, const char *key,
		   struct kbx_out *out);
int kbx_ko_imports_ns(const struct kbx_ko *ko, const char *ns, size_t len);
int kbx_license_is_gpl_compatible(const char *license);

/* ---- what modpost and the loader would reject (unresolved.c) ----------- */

enum kbx_problem_kind {
	KBX_PROBLEM_UNEXPORTED,
	KBX_PROBLEM_GPL_ONLY,
	KBX_PROBLEM_CRC,
	KBX_PROBLEM_NAMESPACE,
};

struct kbx_problem {
	enum kbx_problem_kind kind;
	const char *symbol;
	const struct kbx_symvers_entry *export; /* NULL for UNEXPORTED */
	uint32_t module_crc;
};

typedef void (*kbx_problem_fn)(void *ctx, const struct kbx_problem *p);

/* Checks every import of KO against the SYMVERS tables (first wins, as in
 * modpost) and calls FN once per problem; returns the problem count. */
size_t kbx_ko_check_imports(const struct kbx_ko *ko,
			    struct kbx_symvers *const *symvers, size_t n,
			    kbx_problem_fn fn, void *ctx);
void kbx_problem_word(const struct kbx_problem *p, struct kbx_out *out);
void kbx_problem_explain(const struct kbx_problem *p, const struct kbx_ko *ko,
			 struct kbx_out *out);

/* ---- the function table both front ends dispatch from (functions.c) ----- */

/* A function's arguments arrive trimmed; the last one may hold words. */
typedef int (*kbx_fn)(unsigned argc, char **argv, struct kbx_out *out,
		      struct kbx_err *err);

struct kbx_function {
	const char *name; /* without the kbx- prefix */
	unsigned min_args, max_args;
	kbx_fn fn;
	const char *usage;
};

extern const struct kbx_function kbx_functions[];
const struct kbx_function *kbx_function_find(const char *name);

/* ---- CLI verbs beyond the functions ------------------------------------ */

int kbx_decode_stream(const struct kbx_symmap *map, int in_fd, int out_fd,
		      struct kbx_err *err);

struct kbx_check_opts {
	const char **symvers;
	size_t n_symvers;
	const char *release; /* NULL: no vermagic check */
	unsigned jobs;
	int verbose;
};

/* Returns the number of modules with problems, or -1 on error. */
int kbx_check_modules(const struct kbx_check_opts *opts, char **paths,
		      size_t n_paths, int out_fd, struct kbx_err *err);

#endif
