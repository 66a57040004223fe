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

/* Fixed-endian reads for the binary parsers; callers check bounds. */
static inline uint16_t kbx_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t kbx_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t kbx_le64(const unsigned char *p)
{
	return (uint64_t)kbx_le32(p) | (uint64_t)kbx_le32(p + 4) << 32;
}

static inline uint32_t kbx_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

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
	KBX_INDEX_RELEASE, /* an artifact's release: may cost an inflate */
	KBX_INDEX_VERIFY, /* an artifact's first problem, "" when none */
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
unsigned kbx_elf_machine(const struct kbx_elf *elf);
uint64_t kbx_elf_entry(const struct kbx_elf *elf);
size_t kbx_elf_section_count(const struct kbx_elf *elf);
uint64_t kbx_elf_section_addr(struct kbx_elf *elf, size_t shndx);
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
					 const unsigned char *data, size_t len,
					 struct kbx_err *err);
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
const struct kbx_symvers_entry *kbx_symvers_find(const struct kbx_symvers *sv,
						 const char *name, size_t len);
int kbx_symvers_export_is_gpl(const struct kbx_symvers_entry *e);
/* A table built in memory (check-modules: the exports of the modules being
 * checked); entries' strings must outlive it. */
struct kbx_symvers *kbx_symvers_new(void);
int kbx_symvers_add(struct kbx_symvers *sv, const struct kbx_symvers_entry *e);
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

/* ---- compressed payloads (payload.c) ------------------------------------ */

enum kbx_comp {
	KBX_COMP_NONE,
	KBX_COMP_GZIP,
	KBX_COMP_XZ,
	KBX_COMP_LZMA,
	KBX_COMP_LZO,
	KBX_COMP_LZ4,
	KBX_COMP_ZSTD,
	KBX_COMP_BZIP2,
};

const char *kbx_comp_name(enum kbx_comp comp);
int kbx_comp_from_name(const char *name, enum kbx_comp *comp);
/* The compression whose magic DATA starts with; NONE when none. */
enum kbx_comp kbx_comp_sniff(const unsigned char *data, size_t len);
size_t kbx_comp_next(const unsigned char *data, size_t from, size_t to);

struct kbx_inflate {
	unsigned char *buf; /* malloc'd output */
	size_t len, cap;
	size_t in_used; /* input bytes the decoder consumed */
};

/* Called after each chunk with the output so far and where the new bytes
 * start; nonzero stops the decoder (kbx_decompress then returns 1). */
typedef int (*kbx_inflate_stop_fn)(void *ctx, const unsigned char *buf,
				   size_t len, size_t new_from);

/* Decompresses IN into RES (free it with kbx_inflate_free, also on error):
 * 0 at the end of the stream, 1 when STOP said so, -1 with ERR set. */
int kbx_decompress(enum kbx_comp comp, const unsigned char *in, size_t len,
		   size_t max_out, kbx_inflate_stop_fn stop, void *ctx,
		   struct kbx_inflate *res, const char *path,
		   struct kbx_err *err);
void kbx_inflate_free(struct kbx_inflate *res);

/* ---- kernel artifacts (artifact.c and one file per format) -------------- */

enum kbx_format {
	KBX_FMT_MISSING,
	KBX_FMT_UNKNOWN,
	KBX_FMT_VMLINUX,
	KBX_FMT_KO,
	KBX_FMT_ELF,
	KBX_FMT_ZIMAGE,
	KBX_FMT_UIMAGE,
	KBX_FMT_FIT,
	KBX_FMT_IMAGE,
	KBX_FMT_IMAGE_GZ,
	KBX_FMT_ZBOOT,
	KBX_FMT_BZIMAGE,
	KBX_FMT_DTB,
	KBX_FMT_GZIP,
	KBX_FMT_XZ,
	KBX_FMT_ZSTD,
	KBX_FMT_LZ4,
};

const char *kbx_format_name(enum kbx_format fmt);

/* Decompressed payloads may not grow past kbx_payload_max (a bomb is an
 * error); KBX_PAYLOAD_MAX by default, lowered by the fuzzers. */
#define KBX_PAYLOAD_MAX ((size_t)1 << 30)
extern size_t kbx_payload_max;

/* What a header says; a field a format lacks stays 0/NULL. Parsing fills
 * it and checks the structure; verification goes further (CRCs, payload,
 * DTB structure, module contents). */
struct kbx_image {
	const char *path;
	const unsigned char *data; /* the whole file */
	size_t len;
	enum kbx_format format;
	const char *arch; /* kernel ARCH name */
	int bits;
	char endian; /* 'l', 'b' or 0 */
	uint64_t size; /* the length the artifact declares for itself */
	int has_load;
	uint64_t load, entry;
	char name[80];
	const char *os, *type;
	int has_comp;
	enum kbx_comp comp;
	int has_crc;
	uint32_t crc;
	int has_arm64_header;
	uint64_t text_offset, image_size, page_size;
	/* the compressed kernel inside; payload_len 0 while not located */
	size_t payload_off, payload_len;
	size_t payload_from, payload_to; /* where to search for it (zImage) */
	uint64_t payload_size; /* the inflated size promised; 0 unknown */
	/* an uncompressed artifact inside (uImage, FIT), parsed on demand */
	size_t inner_off, inner_len;
	int efi_stub;
	int depth; /* how deep inside other artifacts (uImage, FIT) */
};

enum kbx_format kbx_identify(const unsigned char *data, size_t len);
/* Identifies and parses DATA; -1 with ERR at the first structural
 * problem (bad magic, truncation, a size beyond the file, ...). */
int kbx_image_parse(const char *path, const unsigned char *data, size_t len,
		    struct kbx_image *img, struct kbx_err *err);
/* Everything parse does not: CRCs, the payload inflating to the promised
 * size, DTB structure, ELF and module contents, and ARCH when not NULL. */
int kbx_image_verify(struct kbx_image *img, const char *arch,
		     struct kbx_err *err);
/* Only the ARCH check of kbx_image_verify (cheap: headers only). */
int kbx_image_check_arch(struct kbx_image *img, const char *arch,
			 struct kbx_err *err);
int kbx_image_field(struct kbx_image *img, const char *field,
		    struct kbx_out *out, struct kbx_err *err);
/* The release (uname -r form) of a kernel artifact; 0 and nothing written
 * when the format carries none (a DTB), -1 on error. */
int kbx_image_release(struct kbx_image *img, struct kbx_out *out,
		      struct kbx_err *err);
/* Locates the compressed payload (every candidate of a zImage is tried)
 * and inflates it until STOP says enough or, without STOP, to the end;
 * checks the inflated size against the one the header promises. */
int kbx_image_inflate(struct kbx_image *img, kbx_inflate_stop_fn stop,
		      void *ctx, struct kbx_inflate *res, struct kbx_err *err);
/* The release of a directory: a kernel build or headers tree. */
int kbx_dir_release(const char *dir, struct kbx_out *out, struct kbx_err *err);

/* The kernel ARCH for ELF e_machine / U-Boot's ih_arch / a user's word
 * (aarch64 -> arm64, x86_64 -> x86); NULL when unknown. */
const char *kbx_arch_from_elf(unsigned machine, int bits);
const char *kbx_arch_from_uboot(unsigned id);
const char *kbx_arch_normalise(const char *arch);

/* "Linux version RELEASE (" in BUF at or after FROM (minus what a chunk
 * boundary may have cut); 1 with the release copied, 0 when absent. */
int kbx_banner_find(const unsigned char *buf, size_t len, size_t from,
		    char *release, size_t size);

/* One file per format; each fills IMG from its header or fails. */
int kbx_zimage_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_uimage_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_uimage_verify(struct kbx_image *img, struct kbx_err *err);
int kbx_armimage_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_zboot_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_bzimage_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_bzimage_verify(struct kbx_image *img, struct kbx_err *err);
int kbx_bzimage_release(struct kbx_image *img, struct kbx_out *out);
int kbx_dtb_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_dtb_verify(struct kbx_image *img, struct kbx_err *err);
int kbx_fit_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_fit_verify(struct kbx_image *img, struct kbx_err *err);
int kbx_elfimage_parse(struct kbx_image *img, struct kbx_err *err);
int kbx_elfimage_verify(struct kbx_image *img, struct kbx_err *err);
/* The release in a vmlinux's linux_banner symbol; 0 when it has none. */
int kbx_elfimage_banner(struct kbx_image *img, char *release, size_t size);

/* A property of a DTB as fdtget prints it (string lists as words); 0 and
 * nothing written when the node or property is absent. */
int kbx_dtb_get(const char *path, const unsigned char *data, size_t len,
		const char *node, const char *prop, struct kbx_out *out,
		struct kbx_err *err);
/* An artifact nested in IMG (uImage data, FIT kernel): 0 parsed into
 * INNER, 1 when the bytes are no artifact kbx knows (raw data), -1. */
int kbx_image_parse_inner(const struct kbx_image *img, struct kbx_image *inner,
			  struct kbx_err *err);
/* 1 when LEN bytes of DATA are a sound DTB that has NODE. */
int kbx_dtb_has_node(const unsigned char *data, size_t len, const char *node);

/* ---- module signatures (modsig.c) --------------------------------------- */

struct kbx_modsig {
	int signed_;
	size_t elf_len; /* the module without the signature */
	char signer[256];
	char key[256]; /* serial, as modinfo's sig_key */
	char hashalgo[32];
};

/* 0 with SIG filled (signed_ 0 when unsigned), -1 on a damaged trailer. */
int kbx_modsig_read(const char *path, const unsigned char *data, size_t len,
		    struct kbx_modsig *sig, struct kbx_err *err);

/* ---- kernel configuration (kconfig.c) ----------------------------------- */

/* CONFIG_OPTION from a .config text or the IKCONFIG inside an image, a
 * vmlinux or configs.ko; nothing when unset. */
int kbx_kconfig_get(const char *path, const char *option, struct kbx_out *out,
		    struct kbx_err *err);

/* Every option the FRAGS set (the last one wins, as merge_config.sh
 * merges) that does not hold in CONFIG: one line each, naming the option,
 * the fragment, the value asked for and the value got. */
int kbx_kconfig_audit(const char *config, char **frags, size_t nfrags,
		      struct kbx_out *out, struct kbx_err *err);

/* ---- kbx report (report.c) ---------------------------------------------- */

int kbx_report(char **paths, size_t n, int out_fd, struct kbx_err *err);
/* The same table as text (the kbx-report function). */
int kbx_report_text(char **paths, size_t n, struct kbx_out *out,
		    struct kbx_err *err);

/* ---- child processes (spawn.c) ------------------------------------------- */

struct kbx_run {
	int status; /* exit status; -1 when killed by a signal */
	int timed_out; /* killed after the timeout */
	int not_found;
	char *out; /* captured stdout, NUL-terminated, or NULL */
	size_t out_len;
};

/* Runs ARGV[0] from PATH with ARGV (no shell), stdin from STDIN_DATA (or
 * /dev/null), stdout captured when CAPTURE (else /dev/null), stderr to
 * /dev/null, killed after TIMEOUT_MS. -1 only when it could not start. */
int kbx_run(char *const argv[], const char *stdin_data, int capture,
	    unsigned timeout_ms, struct kbx_run *res, struct kbx_err *err);
void kbx_run_free(struct kbx_run *res);

/* ---- warnings: the front end decides where they go (cache.c) ------------ */

typedef void (*kbx_warn_fn)(const char *msg);
extern kbx_warn_fn kbx_warn_hook;
void kbx_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the persistent probe cache (cache.c) --------------------------------- */

/* $(KBX_CACHE_DIR), else ${XDG_CACHE_HOME:-$HOME/.cache}/kbx. */
const char *kbx_cache_dir(void);
/* 1 with *VALUE malloc'd when KEY has a sound entry. */
int kbx_cache_get(const char *key, char **value);
void kbx_cache_put(const char *key, const char *value);
void kbx_cache_flush_stats(void);
void kbx_cache_reset(void);
int kbx_cache_stats(struct kbx_out *out, struct kbx_err *err);
int kbx_cache_clear(struct kbx_out *out, struct kbx_err *err);

/* ---- toolchains (toolchain.c) and probes (probe.c) -------------------------- */

struct kbx_tool {
	char *words; /* the command, split in place */
	char **argv; /* its words, NULL-terminated */
	size_t argc;
	size_t driver; /* the word that is the compiler (1 after ccache) */
	char path[4096]; /* the driver, resolved on PATH */
};

int kbx_which(const char *name, char *out, size_t size);
/* Splits CMD ("ccache aarch64-linux-gnu-gcc", "clang --target=...") and
 * finds its driver on PATH; WHAT names it in errors ("compiler"). */
int kbx_tool_open(const char *cmd, const char *what, struct kbx_tool *t,
		  struct kbx_err *err);
void kbx_tool_close(struct kbx_tool *t);
void kbx_tool_command(const struct kbx_tool *t, struct kbx_out *out);
/* Path, size, mtime and inode of the driver and, for a COMPILER, of the
 * cc1, as and ld it runs (-print-prog-name). */
int kbx_tool_identity(struct kbx_tool *t, int compiler, struct kbx_out *out,
		      struct kbx_err *err);
void kbx_tools_drop(void);
const char *kbx_arch_from_triple(const char *triple);
int kbx_arch_is_known(const char *arch);

int kbx_cc_field(const char *cc, const char *field, struct kbx_out *out,
		 struct kbx_err *err);
int kbx_cross(const char *arch, struct kbx_out *out, struct kbx_err *err);
int kbx_tools_missing(const char *prefix, const char *tools,
		      struct kbx_out *out);

/* Answers: the process memo in front of the persistent cache. */
int kbx_answer_get(const char *key, char **value);
void kbx_answer_put(const char *key, const char *value);
void kbx_answers_drop(void);
unsigned kbx_probe_timeout_ms(void);

/* Kbuild's probes; *OK (each OK[i]) says whether the tool accepted. */
int kbx_cc_option(const char *cc, const char *flags, int *ok,
		  struct kbx_err *err);
int kbx_cc_options(const char *cc, char **flags, size_t n, int *ok,
		   struct kbx_err *err);
int kbx_ld_option(const char *ld, const char *flags, int *ok,
		  struct kbx_err *err);
int kbx_as_instr(const char *cc, const char *instr, int *ok,
		 struct kbx_err *err);
/* Kbuild's try-run (kbuildprobe.c): YES or NO as its echo prints them. */
int kbx_kbuild_try_run(const char *cmd, const char *yes, const char *no,
		       const char *tmpout, struct kbx_out *out);
/* The tool a try-run command runs, in BUF; 0 when kbx cannot key it. */
int kbx_kbuild_probe_tool(const char *cmd, char *buf, size_t size);

/* ---- the function table both front ends dispatch from (functions.c) ----- */

/* A function's arguments arrive trimmed; the last one may hold words. */
typedef int (*kbx_fn)(unsigned argc, char **argv, struct kbx_out *out,
		      struct kbx_err *err);

struct kbx_function {
	const char *name; /* without the kbx- prefix */
	unsigned min_args, max_args;
	kbx_fn fn;
	const char *usage;
	unsigned flags;
};

/* The expansion is a problem report (kbx-verify): the CLI exits 1 when
 * it is non-empty and 0 when it is empty. */
#define KBX_FN_REPORTS 1u
/* arguments as Make hands them, blanks kept (Kbuild's echo keeps them) */
#define KBX_FN_RAW 2u

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
	int verbose; /* an "ok" line for each good module too */
	int summary; /* the closing count line */
};

/* Returns the number of modules with problems, or -1 on error. */
int kbx_check_modules(const struct kbx_check_opts *opts, char **paths,
		      size_t n_paths, struct kbx_out *out, struct kbx_err *err);

#endif
