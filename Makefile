# kbx: Kbuild extensions for GNU Make. Builds plugin/kbx.so and the kbx
# command from one core library; check, demo, install, bench, fuzz.

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
KBXDIR     ?= $(PREFIX)/share/kbx
DOCDIR     ?= $(PREFIX)/share/doc/kbx

CC         ?= cc
PKG_CONFIG ?= pkg-config
V          ?= 0

ifeq ($(V),1)
Q :=
else
Q := @
endif

B := build

CORE_SRCS := $(addprefix plugin/,out.c file.c elfsyms.c symmap.c symvers.c \
	ko.c unresolved.c functions.c decode.c checkmod.c payload.c \
	artifact.c release.c zimage.c uimage.c fit.c armimage.c bzimage.c \
	dtb.c elfimage.c modsig.c kconfig.c report.c spawn.c cache.c \
	toolchain.c probe.c kbuildprobe.c)
CORE_HDRS := plugin/kbx.h

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2
ELF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libelf 2>/dev/null)
ELF_LIBS   = $(or $(shell $(PKG_CONFIG) --libs libelf 2>/dev/null),-lelf)
KBX_CFLAGS := -std=gnu11 -O2 -g $(WARN) -fPIC -fvisibility=hidden \
	-D_GNU_SOURCE $(ELF_CFLAGS) $(PAYLOAD_CFLAGS) $(CFLAGS)
# Payloads and CRCs (zlib, liblzma, libzstd, liblz4, liblzo2), DTBs
# (libfdt: Debian ships no .pc for it) and module signatures (libcrypto).
PAYLOAD_PKGS := zlib liblzma libzstd liblz4 lzo2 libcrypto
PAYLOAD_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PAYLOAD_PKGS) 2>/dev/null)
PAYLOAD_LIBS = $(or $(shell $(PKG_CONFIG) --libs $(PAYLOAD_PKGS) 2>/dev/null),\
	-lz -llzma -lzstd -llz4 -llzo2 -lcrypto)
KBX_LIBS   = $(ELF_LIBS) $(PAYLOAD_LIBS) -lfdt -lpthread

CORE_OBJS := $(patsubst plugin/%.c,$(B)/%.o,$(CORE_SRCS))

all: plugin/kbx.so plugin/kbx

$(B)/%.o: plugin/%.c $(CORE_HDRS) | $(B)
	@$(if $(Q),echo '  CC      $@')
	$(Q)$(CC) $(KBX_CFLAGS) -c -o $@ $<

$(B):
	$(Q)mkdir -p $@

$(B)/libkbx.a: $(CORE_OBJS)
	@$(if $(Q),echo '  AR      $@')
	$(Q)rm -f $@ && ar rcs $@ $^

# Make's own symbols (error, xmalloc, ...) are global in the process the
# plug-in joins: everything but the setup and the GPL tag stays hidden.
plugin/kbx.so: $(B)/make.o $(B)/libkbx.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) -shared -o $@.tmp $(B)/make.o $(B)/libkbx.a $(KBX_LIBS) \
		$(LDFLAGS) && mv -f $@.tmp $@

plugin/kbx: $(B)/cli.o $(B)/libkbx.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) -o $@ $(B)/cli.o $(B)/libkbx.a $(KBX_LIBS) $(LDFLAGS)

$(B)/make.o $(B)/cli.o: $(CORE_HDRS)

# ---- dependencies -----------------------------------------------------------

deps-%:
	$(Q)sh mk/deps.sh $*

# ---- tests ------------------------------------------------------------------

include tests/tests.mk

# ---- demo -------------------------------------------------------------------

demo: deps-demo
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh mk/demo.sh

# ---- install ----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(KBXDIR)/plugin \
		$(DESTDIR)$(KBXDIR)/mk $(DESTDIR)$(DOCDIR)
	install -m 755 plugin/kbx $(DESTDIR)$(BINDIR)/kbx
	install -m 644 plugin/kbx.so $(DESTDIR)$(KBXDIR)/plugin/kbx.so
	install -m 644 mk/*.mk $(DESTDIR)$(KBXDIR)/mk/
	install -m 755 mk/*.sh $(DESTDIR)$(KBXDIR)/mk/
	install -m 644 docs/*.md README.md $(DESTDIR)$(DOCDIR)/

# build/cache (ccache of the test kernels) survives clean: a rebuild after
# `make clean` is then a matter of seconds; distclean removes it too.
clean:
	rm -rf $(filter-out $(B)/cache,$(wildcard $(B)/*)) plugin/kbx.so \
		plugin/kbx plugin/*.tmp

distclean: clean
	rm -rf $(B)

.PHONY: all clean distclean install demo check fuzz bench
.DELETE_ON_ERROR:
