/* ELF access through libelf: symbols and sections, bounds-checked. */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "kbx.h"

struct kbx_elf {
	Elf *elf;
	const char *path;
	GElf_Ehdr ehdr;
	size_t shstrndx;
	size_t shnum;
	size_t file_len;
};

int kbx_is_elf(const unsigned char *data, size_t len)
{
	return len >= 4 && memcmp(data, ELFMAG, SELFMAG) == 0;
}

static int elf_error(struct kbx_err *err, const char *path, const char *what)
{
	return kbx_fail(err, path, "damaged ELF: %s (%s)", what,
			elf_errmsg(-1));
}

/* libelf quietly sees no sections when their table is cut off: say so. */
static int check_table(const struct kbx_elf *e, const char *what, uint64_t off,
		       uint64_t count, uint64_t entsize, struct kbx_err *err)
{
	if (!off ||
	    (off <= e->file_len && count * entsize <= e->file_len - off))
		return 0;
	return kbx_fail(err, e->path,
			"damaged ELF: the %s header table (%llu entries at "
			"%#llx) runs past the end of the file (%zu bytes): "
			"truncated?",
			what, (unsigned long long)count,
			(unsigned long long)off, e->file_len);
}

static int check_tables(const struct kbx_elf *e, struct kbx_err *err)
{
	const GElf_Ehdr *h = &e->ehdr;

	return check_table(e, "section", h->e_shoff, h->e_shnum, h->e_shentsize,
			   err) ||
	       check_table(e, "program", h->e_phoff, h->e_phnum, h->e_phentsize,
			   err);
}

struct kbx_elf *kbx_elf_open(const char *path, const struct kbx_map *map,
			     struct kbx_err *err)
{
	struct kbx_elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		kbx_fail(err, path, "libelf is unusable: %s", elf_errmsg(-1));
		return NULL;
	}
	if (!kbx_is_elf(map->data, map->len)) {
		kbx_fail(err, path, "not an ELF file");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		kbx_fail(err, path, "out of memory");
		return NULL;
	}
	e->path = path;
	e->file_len = map->len;
	/* libelf only reads the image: the cast drops a const it never uses. */
	e->elf = elf_memory((char *)map->data, map->len);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		elf_error(err, path, "not a readable ELF image");
		goto fail;
	}
	if (!gelf_getehdr(e->elf, &e->ehdr)) {
		elf_error(err, path, "ELF header");
		goto fail;
	}
	if (check_tables(e, err))
		goto fail;
	if (elf_getshdrnum(e->elf, &e->shnum) ||
	    elf_getshdrstrndx(e->elf, &e->shstrndx)) {
		elf_error(err, path, "section header table");
		goto fail;
	}
	return e;
fail:
	kbx_elf_close(e);
	return NULL;
}

void kbx_elf_close(struct kbx_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	free(e);
}

int kbx_elf_class_bits(const struct kbx_elf *e)
{
	return e->ehdr.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
}

int kbx_elf_big_endian(const struct kbx_elf *e)
{
	return e->ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
}

unsigned kbx_elf_type(const struct kbx_elf *e)
{
	return e->ehdr.e_type;
}

unsigned kbx_elf_machine(const struct kbx_elf *e)
{
	return e->ehdr.e_machine;
}

uint64_t kbx_elf_entry(const struct kbx_elf *e)
{
	return e->ehdr.e_entry;
}

uint64_t kbx_elf_section_addr(struct kbx_elf *e, size_t shndx)
{
	Elf_Scn *scn = elf_getscn(e->elf, shndx);
	GElf_Shdr sh;

	return scn && gelf_getshdr(scn, &sh) ? sh.sh_addr : 0;
}

size_t kbx_elf_section_count(const struct kbx_elf *e)
{
	return e->shnum;
}

const char *kbx_elf_section_name(struct kbx_elf *e, size_t shndx)
{
	Elf_Scn *scn = elf_getscn(e->elf, shndx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return NULL;
	return elf_strptr(e->elf, e->shstrndx, sh.sh_name);
}

/* A section's claimed extent must lie in the file: libelf checks it too,
 * but saying which section lies makes the error useful. */
static int section_in_file(const struct kbx_elf *e, const GElf_Shdr *sh)
{
	if (sh->sh_type == SHT_NOBITS)
		return 1;
	return sh->sh_offset <= e->file_len &&
	       sh->sh_size <= e->file_len - sh->sh_offset;
}

int kbx_elf_section(struct kbx_elf *e, const char *name,
		    const unsigned char **data, size_t *len,
		    struct kbx_err *err)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	*data = NULL;
	*len = 0;
	while ((scn = elf_nextscn(e->elf, scn))) {
		const char *sname;

		if (!gelf_getshdr(scn, &sh))
			return elf_error(err, e->path, "section header");
		sname = elf_strptr(e->elf, e->shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, name))
			continue;
		if (sh.sh_type == SHT_NOBITS)
			return 0;
		if (!section_in_file(e, &sh))
			return kbx_fail(err, e->path,
					"damaged ELF: section %s (%zu bytes at "
					"%#llx) runs past the end of the file",
					name, (size_t)sh.sh_size,
					(unsigned long long)sh.sh_offset);
		*data = (const unsigned char *)elf_rawfile(e->elf, NULL) +
			sh.sh_offset;
		*len = sh.sh_size;
		return 0;
	}
	return 0;
}

int kbx_elf_section_at(struct kbx_elf *e, size_t shndx,
		       const unsigned char **data, size_t *len,
		       struct kbx_err *err)
{
	Elf_Scn *scn = elf_getscn(e->elf, shndx);
	GElf_Shdr sh;

	*data = NULL;
	*len = 0;
	if (!scn || !gelf_getshdr(scn, &sh))
		return kbx_fail(err, e->path, "damaged ELF: no section %zu",
				shndx);
	if (sh.sh_type == SHT_NOBITS)
		return 0;
	if (!section_in_file(e, &sh))
		return kbx_fail(err, e->path,
				"damaged ELF: section %zu runs past the end "
				"of the file",
				shndx);
	*data = (const unsigned char *)elf_rawfile(e->elf, NULL) + sh.sh_offset;
	*len = sh.sh_size;
	return 0;
}

static char nm_letter(struct kbx_elf *e, const GElf_Sym *s)
{
	unsigned bind = GELF_ST_BIND(s->st_info);
	unsigned type = GELF_ST_TYPE(s->st_info);
	GElf_Shdr sh;
	Elf_Scn *scn;
	char c;

	if (s->st_shndx == SHN_UNDEF)
		return bind == STB_WEAK ? (type == STT_OBJECT ? 'v' : 'w')
					: 'U';
	if (bind == STB_WEAK)
		return type == STT_OBJECT ? 'V' : 'W';
	if (s->st_shndx == SHN_ABS)
		c = 'a';
	else if (s->st_shndx == SHN_COMMON)
		c = 'c';
	else if (!(scn = elf_getscn(e->elf, s->st_shndx)) ||
		 !gelf_getshdr(scn, &sh))
		c = '?';
	else if (sh.sh_flags & SHF_EXECINSTR)
		c = 't';
	else if (sh.sh_type == SHT_NOBITS)
		c = 'b';
	else if (sh.sh_flags & SHF_WRITE)
		c = 'd';
	else if (sh.sh_flags & SHF_ALLOC)
		c = 'r';
	else
		c = 'n';
	if (bind == STB_GLOBAL && c != '?')
		c = (char)(c - 'a' + 'A');
	return c;
}

static Elf_Scn *find_symtab(struct kbx_elf *e, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr dynsh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, sh))
			continue;
		if (sh->sh_type == SHT_SYMTAB)
			return scn;
		if (sh->sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dynsh = *sh;
		}
	}
	if (dyn)
		*sh = dynsh;
	return dyn;
}

int kbx_elf_each_sym(struct kbx_elf *e,
		     int (*fn)(void *ctx, const struct kbx_elf_sym *sym),
		     void *ctx, struct kbx_err *err)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_symtab(e, &sh);
	Elf_Data *data;
	size_t i, n;

	if (!scn)
		return 0;
	if (!section_in_file(e, &sh) || sh.sh_entsize == 0)
		return kbx_fail(err, e->path,
				"damaged ELF: symbol table runs past the end "
				"of the file");
	data = elf_getdata(scn, NULL);
	if (!data)
		return elf_error(err, e->path, "symbol table");
	if (gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT) == 0)
		return elf_error(err, e->path, "symbol size");
	n = data->d_size / gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (n > INT32_MAX)
		return kbx_fail(err, e->path, "damaged ELF: %zu symbols", n);
	for (i = 1; i < n; i++) {
		struct kbx_elf_sym s;
		GElf_Sym gs;
		int rc;

		if (!gelf_getsym(data, (int)i, &gs))
			return elf_error(err, e->path, "symbol entry");
		s.name = elf_strptr(e->elf, sh.sh_link, gs.st_name);
		if (!s.name)
			return kbx_fail(err, e->path,
					"damaged ELF: symbol %zu has a name "
					"outside the string table",
					i);
		s.value = gs.st_value;
		s.size = gs.st_size;
		s.bind = GELF_ST_BIND(gs.st_info);
		s.type = GELF_ST_TYPE(gs.st_info);
		s.shndx = gs.st_shndx;
		s.nm_type = nm_letter(e, &gs);
		rc = fn(ctx, &s);
		if (rc)
			return rc;
	}
	return 0;
}
