# mk/style.mk: what kbuild.mk and module.mk share: Kbuild's output style
# ("  TAG     what", or the full command with V=1), failing recipe lines,
# the kernel's ARCH names.
ifndef __kbx_style_mk
__kbx_style_mk := 1

V ?= 0
ifeq ($(V),1)
kbx_q :=
else
kbx_q := @
endif
# $(call kbx_say,TAG,WHAT): one quiet line; nothing with V=1, nor with
# make -s (as Kbuild itself is silent then)
kbx_silent = $(findstring s,$(firstword -$(MAKEFLAGS)))
kbx_say = $(if $(kbx_q),$(if $(kbx_silent),,@printf '  %-7s %s\n' '$(1)' '$(2)'))
# a message made safe inside '...'
kbx_sq = $(subst ','\'',$(1))
# $(call kbx_fail,TEXT): a recipe line that prints TEXT and fails
kbx_fail = @printf 'kbx: %s\n' '$(call kbx_sq,$(1))' >&2; exit 1
# $(call kbx_fail_v,VAR): the same for the text in VAR, which may hold
# commas and several lines (one printf argument per line)
kbx_fail_v = @printf 'kbx: %s\n' '$(subst $(kbx_nl),' ',$(call kbx_sq,$($(1))))' >&2; exit 1

kbx_empty :=
kbx_space := $(kbx_empty) $(kbx_empty)
kbx_comma := ,
define kbx_nl


endef

# ARCH as the kernel's directory name (SRCARCH): aarch64 -> arm64, ...
kbx_srcarch = $(patsubst x86_64,x86,$(patsubst i386,x86,$(patsubst aarch64,arm64,$(patsubst arm%,arm,$(filter-out arm64,$(1)))$(filter arm64,$(1)))))
# the build host's: installing modules of another ARCH into / is refused
kbx_host_srcarch := $(call kbx_srcarch,$(shell uname -m))

# Kbuild's own compiler probes answered from kbx's cache: an environment
# assignment, put before Kbuild's $(MAKE), that has every make of Kbuild's
# read mk/kbuild-try-run.mk first (MAKEFILES reaches the sub-makes through
# the environment). Not --eval: Kbuild sniffs MAKEFLAGS for make's own
# options, and an --eval's words there turned on modpost -n (the suite
# caught it). Only when TREE's try-run is the one kbx knows (that of linux
# 5.13 to 6.x's scripts/Makefile.compiler); otherwise nothing, and one
# warning: Kbuild probes as it always does. KBX_KBUILD_CACHE=0 turns it
# off. $(call kbx_try_run_env,TREE)
kbx_try_run_shape := 3096426985_188
kbx_try_run_sum = $(subst $(kbx_space),_,$(shell sed -n '/^try-run = /,/^	fi/p' $(1)/scripts/Makefile.compiler 2> /dev/null | cksum))
kbx_try_run_env = $(if $(filter 0 n no,$(KBX_KBUILD_CACHE)),,$(if $(filter $(kbx_try_run_shape),$(call kbx_try_run_sum,$(1))),MAKEFILES='$(strip $(MAKEFILES) $(__kbx_top)/mk/kbuild-try-run.mk)',$(warning kbx: $(1)/scripts/Makefile.compiler: its try-run is not the one kbx knows; Kbuild's probes run uncached)))

endif
