# mk/module.mk: out-of-tree modules, built against a kernel and checked
# before they reach a board.
#
#   obj-m := hello.o
#   include /path/to/kbx/mk/module.mk
#
# gives modules (the build, then modules-check), modules-check,
# modules-install, modules-info and modules-clean (docs/module.md).
ifneq ($(KERNELRELEASE),)
# Kbuild is reading this Makefile for its obj-m: nothing here is for it.
else ifndef __kbx_module_mk
__kbx_module_mk := 1
__kbx_mk := $(dir $(lastword $(MAKEFILE_LIST)))
include $(__kbx_mk)kbx.mk
include $(__kbx_mk)style.mk

MODULE_DIR ?= $(CURDIR)
KDIR ?= /lib/modules/$(shell uname -r)/build
KDIRS ?=
MODULE_DEPS ?=
MODULE_SEPARATE ?=
INSTALL_MOD_DIR ?= extra
MODULE_SIG_KEY ?=
MODULE_SIG_CERT ?=
MODULE_SIG_HASH ?= sha256

kbx_m_kdir := $(patsubst %/,%,$(KDIR))
kbx_m_config := $(wildcard $(kbx_m_kdir)/.config)
kbx_m_have_kdir := $(wildcard $(kbx_m_kdir)/Module.symvers)

# A missing KDIR is said when a target needs it, so that modules-clean and
# the like still work without one.
kbx_m_headers_pkg = linux-headers-$(shell uname -r)
kbx_m_installed = $(wildcard /usr/src/linux-headers-*-$(subst x86,amd64,$(kbx_host_srcarch)))
kbx_m_need_kdir = $(if $(kbx_m_have_kdir),,$(call kbx_fail,KDIR=$(kbx_m_kdir): $(if $(wildcard $(kbx_m_kdir)),no Module.symvers there (not a built kernel tree: run make modules_prepare and make modules in it),no such directory): install the headers of the kernel to build for (Debian: apt-get install $(if $(filter /lib/modules/%/build,$(kbx_m_kdir)),$(patsubst /lib/modules/%/build,linux-headers-%,$(kbx_m_kdir)),$(kbx_m_headers_pkg))) or set KDIR to a kernel build directory$(if $(kbx_m_installed), (installed: $(kbx_m_installed)))))

# ---- ARCH, CROSS_COMPILE and LLVM from KDIR's .config, unless given ----
kbx_m_arches := ARM64:arm64 ARM:arm X86:x86 RISCV:riscv MIPS:mips PPC:powerpc \
	S390:s390 LOONGARCH:loongarch
kbx_m_arch_of = $(firstword $(foreach a,$(kbx_m_arches),$(if $(filter y,$(kbx-kconfig $(1),$(firstword $(subst :, ,$(a))))),$(lastword $(subst :, ,$(a))))))
MODULE_ARCH := $(or $(ARCH),$(if $(kbx_m_config),$(call kbx_m_arch_of,$(kbx_m_config))))
kbx_m_cross := $(filter-out $(kbx_host_srcarch),$(call kbx_srcarch,$(MODULE_ARCH)))
kbx_m_clang := $(if $(kbx_m_config),$(filter y,$(kbx-kconfig $(kbx_m_config),CC_IS_CLANG)))
# The compiler KDIR was built with (CONFIG_CC_VERSION_TEXT's first word,
# aarch64-linux-gnu-gcc) gives the prefix, if it is on PATH here.
kbx_m_kdir_prefix = $(patsubst %gcc,%,$(filter %-gcc,$(firstword $(kbx-kconfig $(kbx_m_config),CC_VERSION_TEXT))))
kbx_m_usable = $(if $(1),$(if $(kbx-tools $(1),gcc),,$(1)))
MODULE_CROSS_COMPILE := $(or $(CROSS_COMPILE),$(if $(kbx_m_cross),$(if $(kbx_m_clang),,$(or $(call kbx_m_usable,$(kbx_m_kdir_prefix)),$(kbx-cross $(MODULE_ARCH))))))
MODULE_LLVM := $(or $(LLVM),$(if $(kbx_m_clang),1))

kbx_m_release = $(if $(kbx_m_have_kdir),$(kbx-release $(kbx_m_kdir)))
# Where Kbuild builds: in place, or (MODULE_SEPARATE=1, as KDIRS does) in
# .kbx/RELEASE, a copy of the sources per kernel, as DKMS keeps them.
kbx_m_build_of = $(if $(filter 1,$(MODULE_SEPARATE)),$(1)/.kbx/$(kbx_m_release),$(1))
kbx_m_build = $(call kbx_m_build_of,$(MODULE_DIR))

# ---- MODULE_DEPS: built first, their Module.symvers handed on -----------------
kbx_m_deps := $(foreach d,$(MODULE_DEPS),$(abspath $(d)))
kbx_m_chain := $(KBX_MODULE_CHAIN) $(MODULE_DIR)
$(foreach d,$(kbx_m_deps),$(if $(filter $(d),$(kbx_m_chain)),$(error kbx: MODULE_DEPS cycle: $(subst $(kbx_space), -> ,$(strip $(kbx_m_chain) $(d))))))
# Each build leaves .kbx-symvers: its own Module.symvers and its
# dependencies', transitively, for KBUILD_EXTRA_SYMBOLS and the check.
kbx_m_extra = $(sort $(foreach d,$(kbx_m_deps),$(shell cat $(call kbx_m_build_of,$(d))/.kbx-symvers 2> /dev/null)))

kbx_m_kbuild = $(call kbx_try_run_env,$(kbx_m_kdir)) \
	$(MAKE) -C $(kbx_m_kdir) M=$(kbx_m_build) \
	$(if $(kbx_m_cross)$(ARCH),ARCH=$(MODULE_ARCH)) \
	$(if $(MODULE_CROSS_COMPILE),CROSS_COMPILE=$(MODULE_CROSS_COMPILE)) \
	$(if $(MODULE_LLVM),LLVM=$(MODULE_LLVM)) \
	$(if $(filter 1,$(V)),V=1,-s)

# The sources copied into a separate build dir, whose Kbuild file reads the
# module's own Kbuild or Makefile (so its relative includes still work).
kbx_m_kbuild_file = $(MODULE_DIR)/$(if $(wildcard $(MODULE_DIR)/Kbuild),Kbuild,Makefile)
define kbx_m_copy
	@mkdir -p $(kbx_m_build)
	$(kbx_q)tar -C $(MODULE_DIR) --exclude=./.kbx --exclude=./Makefile \
		--exclude=./Kbuild --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=./Module.symvers --exclude=./modules.order -cf - . | \
		tar -C $(kbx_m_build) -xf -
	@echo 'include $(kbx_m_kbuild_file)' > $(kbx_m_build)/Kbuild
endef

# The modules Kbuild made: its modules.order, else every .ko there.
kbx_m_kos = $(or $(shell cat $(kbx_m_build)/modules.order 2> /dev/null),$(wildcard $(kbx_m_build)/*.ko))

ifneq ($(strip $(KDIRS)),)
# ---- several kernels: one sub-make each, in its own dir, a line each ----
modules modules-check modules-install modules-info:
	@fail=0; for k in $(KDIRS); do \
		if $(MAKE) --no-print-directory $@ KDIR=$$k KDIRS= MODULE_SEPARATE=1; \
		then r=ok; else r=FAILED; fail=1; fi; \
		printf '  %-7s %s: %s\n' RESULT "$$k" "$$r"; \
	done; exit $$fail
else

modules: modules-build
	$(kbx_m_check)

modules-deps:
	$(kbx_m_need_kdir)
	$(foreach d,$(kbx_m_deps),+$(kbx_q)$(MAKE) --no-print-directory -C $(d) modules KDIR=$(kbx_m_kdir) MODULE_SEPARATE=$(MODULE_SEPARATE) KBX_MODULE_CHAIN='$(strip $(kbx_m_chain))'$(kbx_nl))
	@:

# KBUILD_MODPOST_WARN: modpost only warns, so that modules-check can say
# what is wrong in words (and which fix), instead of the build just stopping.
modules-build: modules-deps
	$(if $(filter 1,$(MODULE_SEPARATE)),$(kbx_m_copy))
	$(call kbx_say,KBUILD,$(notdir $(MODULE_DIR)) against $(kbx_m_release) [$(or $(MODULE_ARCH),host)])
	+$(kbx_q)$(kbx_m_kbuild) KBUILD_MODPOST_WARN=1 \
		$(if $(kbx_m_extra),KBUILD_EXTRA_SYMBOLS="$(kbx_m_extra)") modules
	@{ echo $(kbx_m_build)/Module.symvers; for f in $(kbx_m_extra); do echo $$f; done; } > $(kbx_m_build)/.kbx-symvers
	$(if $(MODULE_SIG_KEY),$(foreach k,$(kbx_m_kos),$(if $(filter yes,$(kbx-modinfo $(k),signed)),,$(call kbx_m_sign,$(k)))))

# Signed with KDIR's own sign-file, only when not signed yet: a module
# Kbuild did not relink keeps its one signature.
define kbx_m_sign
$(call kbx_say,SIGN,$(notdir $(1)))
$(kbx_q)$(kbx_m_kdir)/scripts/sign-file $(MODULE_SIG_HASH) $(MODULE_SIG_KEY) $(or $(MODULE_SIG_CERT),$(MODULE_SIG_KEY)) $(1)

endef

# Every module: built for KDIR's release, everything it needs exported by
# KDIR or a dependency, licence and namespace rules kept, CRCs matching.
kbx_m_verify_one = $(if $(kbx-verify $(1),$(MODULE_ARCH)),$(kbx-verify $(1),$(MODULE_ARCH))$(kbx_nl))
kbx_m_problems = $(foreach k,$(kbx_m_kos),$(call kbx_m_verify_one,$(k)))$(kbx-modules-check $(or $(kbx_m_kos),$(kbx_m_build)),$(kbx_m_kdir)/Module.symvers $(kbx_m_extra),$(kbx_m_release))
define kbx_m_check
$(kbx_m_need_kdir)
$(call kbx_say,CHECK,$(notdir $(or $(kbx_m_kos),$(kbx_m_build))))
$(if $(kbx_m_have_kdir),$(if $(kbx_m_kos),,$(call kbx_fail,$(kbx_m_build): no modules built there yet: run make modules)))
$(if $(kbx_m_have_kdir),$(if $(kbx_m_kos),$(if $(kbx_m_problems),$(call kbx_fail_v,kbx_m_problems))))
endef
modules-check:
	$(kbx_m_check)

# A cross-built module must not land in the build host's /lib: refused
# before anything is built.
ifneq ($(filter modules-install,$(MAKECMDGOALS)),)
ifneq ($(kbx_m_cross),)
ifeq ($(filter-out / //,$(strip $(INSTALL_MOD_PATH))),)
$(error kbx: modules-install: refusing INSTALL_MOD_PATH='$(INSTALL_MOD_PATH)' for $(MODULE_ARCH) modules on this $(kbx_host_srcarch) host: they would land in this machine's /lib/modules; set INSTALL_MOD_PATH to a staging directory)
endif
endif
endif
# Kbuild installs (not signing: MODULE_SIG_KEY signed them already; KDIR's
# own key is not in a headers package), then depmod for the staging tree.
modules-install: modules
	$(call kbx_say,INSTALL,$(notdir $(kbx_m_kos)) to $(INSTALL_MOD_PATH)/lib/modules/$(kbx_m_release)/$(INSTALL_MOD_DIR))
	+$(kbx_q)$(kbx_m_kbuild) modules_install INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(abspath $(INSTALL_MOD_PATH))) \
		CONFIG_MODULE_SIG_ALL= DEPMOD=true
	$(call kbx_say,DEPMOD,$(kbx_m_release))
	$(kbx_q)depmod $(if $(INSTALL_MOD_PATH),-b $(abspath $(INSTALL_MOD_PATH))) $(kbx_m_release)

kbx_m_row = '$(call kbx_sq,$(notdir $(1)))' '$(call kbx_sq,$(kbx-modinfo $(1),vermagic))' '$(call kbx_sq,$(kbx-modinfo $(1),license))' '$(or $(kbx-modinfo $(1),depends),-)' '$(kbx-modinfo $(1),signed)$(if $(filter yes,$(kbx-modinfo $(1),signed)), ($(call kbx_sq,$(kbx-modinfo $(1),signer))))' $(shell stat -c %s $(1))
modules-info:
	@printf '%-16s %-52s %-8s %-12s %-10s %s\n' module vermagic license depends signed size
	$(foreach k,$(kbx_m_kos),@printf '%-16s %-52s %-8s %-12s %-10s %s\n' $(call kbx_m_row,$(k))$(kbx_nl))
endif

modules-clean:
	$(call kbx_say,CLEAN,$(MODULE_DIR))
	$(if $(kbx_m_have_kdir),+$(kbx_q)$(kbx_m_kbuild) clean)
	$(kbx_q)rm -rf $(MODULE_DIR)/.kbx $(MODULE_DIR)/.kbx-symvers

.PHONY: modules modules-deps modules-build modules-check modules-install \
	modules-info modules-clean
endif
