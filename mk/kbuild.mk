# mk/kbuild.mk: kernel builds in product Makefiles, on kbx.so's functions.
#
#   KERNEL_SRC := /usr/src/linux            # or a linux-source tarball
#   ARCH := arm64
#   KERNEL_DEFCONFIG := defconfig
#   KERNEL_CONFIG_FRAGMENTS := board.cfg
#   include /path/to/kbx/mk/kbuild.mk
#
# gives kernel, kernel-config, kernel-info, ... (docs/kbuild.md). Several
# boards: $(eval $(call kbx-kernel,NAME)) with NAME_ARCH, NAME_DEFCONFIG,
# ... gives NAME-kernel, NAME-kernel-info, ... The same template makes both.
ifndef __kbx_kbuild_mk
__kbx_kbuild_mk := 1
__kbx_kbuild_dir := $(dir $(lastword $(MAKEFILE_LIST)))
include $(__kbx_kbuild_dir)kbx.mk
include $(__kbx_kbuild_dir)style.mk

# ---- shared defaults: boards inherit every KERNEL_ variable but their
# ARCH-bound ones (CROSS_COMPILE, IMAGE, OUT) -----------------------------
KERNEL_WORK ?= $(CURDIR)/out
KERNEL_ARCH ?= $(ARCH)
KERNEL_LLVM ?= $(LLVM)
KERNEL_CROSS_COMPILE ?= $(or $(CROSS_COMPILE),$(if $(KERNEL_LLVM),,$(if $(KERNEL_ARCH),$(kbx-cross $(KERNEL_ARCH)))))
KERNEL_OUT ?= $(KERNEL_WORK)/kernel
KERNEL_MODULES ?= auto
KERNEL_LOCALVERSION ?= $(LOCALVERSION)
$(foreach v,SRC DEFCONFIG CONFIG CONFIG_FRAGMENTS DTBS PATCHES \
	IMAGE_MAX_SIZE UIMAGE_LOADADDR REPRODUCIBLE CCACHE PRE_CONFIG_HOOKS \
	PRE_BUILD_HOOKS POST_BUILD_HOOKS,$(eval KERNEL_$(v) ?=))

# The kernel's own name for an ARCH's directory (SRCARCH) and its default
# image.
kbx_default_image = $(or $(if $(filter arm,$(1)),zImage),$(if $(filter arm64 riscv,$(1)),Image),$(if $(filter x86 x86_64 i386,$(1)),bzImage),vmlinux)

# A tarball is unpacked once, into KERNEL_WORK/src, shared by all boards.
kbx_is_tarball = $(filter %.tar %.tar.gz %.tgz %.tar.xz %.tar.bz2,$(1))

# SOURCE_DATE_EPOCH, else the source's last commit, else the tarball's
# mtime: what KBUILD_BUILD_TIMESTAMP says in a reproducible build.
kbx_epoch = $(or $(SOURCE_DATE_EPOCH),$(shell git -C $(1) log -1 --format=%ct 2>/dev/null),$(shell stat -c %Y $(1)/Makefile 2>/dev/null))

# ---- the per-board template ---------------------------------------------------
# $(1): the variables' prefix (KERNEL, or a board's NAME), $(2): the
# targets' prefix ("" or NAME-). Board variables default to KERNEL_'s.
define kbx-kernel-instance
$(foreach v,SRC ARCH LLVM DEFCONFIG CONFIG CONFIG_FRAGMENTS DTBS MODULES \
	PATCHES IMAGE_MAX_SIZE UIMAGE_LOADADDR REPRODUCIBLE CCACHE LOCALVERSION \
	PRE_CONFIG_HOOKS PRE_BUILD_HOOKS POST_BUILD_HOOKS,$(if $(filter KERNEL,$(1)),,$(1)_$(v) ?= $$(KERNEL_$(v))$(kbx_nl)))
$(1)_CROSS_COMPILE ?= $$(if $$($(1)_LLVM),,$$(if $$($(1)_ARCH),$$(kbx-cross $$($(1)_ARCH))))
$(1)_OUT ?= $$(KERNEL_WORK)/$(1)
$(1)_IMAGE ?= $$(call kbx_default_image,$$($(1)_SRCARCH))

$(1)_SRCDIR = $$(if $$(call kbx_is_tarball,$$($(1)_SRC)),$$(KERNEL_WORK)/src,$$(abspath $$($(1)_SRC)))
$(1)_SRCARCH = $$(call kbx_srcarch,$$($(1)_ARCH))
$(1)_CROSS = $$(filter-out $$(kbx_host_srcarch),$$($(1)_SRCARCH))
$(1)_BOOT = $$($(1)_OUT)/arch/$$($(1)_SRCARCH)/boot
$(1)_CC = $$(if $$($(1)_LLVM),clang,$$($(1)_CROSS_COMPILE)gcc)
$(1)_MAKE = $$(call kbx_try_run_env,$$($(1)_SRCDIR)) \
	$$(MAKE) -C $$($(1)_SRCDIR) O=$$($(1)_OUT) ARCH=$$($(1)_ARCH) \
	$$(if $$($(1)_CROSS_COMPILE),CROSS_COMPILE=$$($(1)_CROSS_COMPILE)) \
	$$(if $$($(1)_LLVM),LLVM=$$($(1)_LLVM)) \
	$$(if $$(filter 1 y yes,$$($(1)_CCACHE)),CC="ccache $$($(1)_CC)") \
	LOCALVERSION=$$($(1)_LOCALVERSION) \
	$$(if $$(filter 1 y yes,$$($(1)_REPRODUCIBLE)),KBUILD_BUILD_TIMESTAMP="@$$(call kbx_epoch,$$($(1)_SRCDIR))" KBUILD_BUILD_USER=kbx KBUILD_BUILD_HOST=kbx) \
	$$(if $$(filter 1,$$(V)),V=1,-s)

# ---- configuration: defconfig or a full .config, fragments, olddefconfig ----
$$($(1)_OUT)/.config: $$($(1)_CONFIG) $$($(1)_CONFIG_FRAGMENTS) $$(KERNEL_WORK)/.kbx-patched
	$$(if $$($(1)_ARCH),,$$(call kbx_fail,$(2)kernel: set $(1)_ARCH (or ARCH): the architecture to build for))
	$$(if $$($(1)_CONFIG)$$($(1)_DEFCONFIG)$$($(1)_PRE_CONFIG_HOOKS),,$$(call kbx_fail,$(2)kernel: set $(1)_DEFCONFIG (e.g. defconfig) or $(1)_CONFIG (a full .config)))
	@mkdir -p $$($(1)_OUT)
	$$(foreach h,$$($(1)_PRE_CONFIG_HOOKS),$$(call $$(h),$(1))$$(kbx_nl))
	$$(call kbx_say,CONFIG,$$(or $$($(1)_CONFIG),$$($(1)_DEFCONFIG),.config) $$(notdir $$($(1)_CONFIG_FRAGMENTS)))
	$$(if $$($(1)_CONFIG),$$(kbx_q)cp $$($(1)_CONFIG) $$@)
	$$(if $$($(1)_CONFIG),,$$(if $$($(1)_DEFCONFIG),+$$(kbx_q)$$($(1)_MAKE) $$($(1)_DEFCONFIG) > $$($(1)_OUT)/.kbx-config.log))
	$$(if $$($(1)_CONFIG)$$($(1)_DEFCONFIG),,@test -f $$@ || { echo 'kbx: $(2)kernel: no $(1)_DEFCONFIG nor $(1)_CONFIG, and $(1)_PRE_CONFIG_HOOKS did not write $$@' >&2; exit 1; })
	$$(if $$($(1)_CONFIG_FRAGMENTS),$$(kbx_q)$$($(1)_SRCDIR)/scripts/kconfig/merge_config.sh -m -O $$($(1)_OUT) $$@ $$(abspath $$($(1)_CONFIG_FRAGMENTS)) >> $$($(1)_OUT)/.kbx-config.log)
	$$(if $$(filter 1 y yes,$$($(1)_REPRODUCIBLE)),$$(kbx_q)$$($(1)_SRCDIR)/scripts/config --file $$@ -d LOCALVERSION_AUTO)
	+$$(kbx_q)$$($(1)_MAKE) olddefconfig >> $$($(1)_OUT)/.kbx-config.log
	@touch $$@

# Every option a fragment sets must hold in the final .config: Kconfig
# silently drops one whose dependencies are not met.
$(1)_AUDIT = $$(if $$($(1)_CONFIG_FRAGMENTS),$$(kbx-kconfig-audit $$($(1)_OUT)/.config,$$(abspath $$($(1)_CONFIG_FRAGMENTS))))
$$($(1)_OUT)/.kbx-config-ok: $$($(1)_OUT)/.config
	$$(call kbx_say,AUDIT,$$(notdir $$($(1)_CONFIG_FRAGMENTS)))
	$$(if $$($(1)_AUDIT),$$(call kbx_fail_v,$(1)_AUDIT))
	@touch $$@

$(2)kernel-config: $$($(1)_OUT)/.kbx-config-ok

# Two Kbuilds in one O= at once corrupt it: with -j, the targets that run
# Kbuild wait for kernel-build when it is among the goals too.
$(1)_AFTER_BUILD := $$(if $$(filter $(2)kernel $(2)kernel-build $(2)kernel-uimage,$$(MAKECMDGOALS)),$(2)kernel-build)

$(2)kernel-menuconfig $(2)kernel-nconfig: $$($(1)_OUT)/.config
	+$$($(1)_MAKE) $$(patsubst $(2)kernel-%,%,$$@)

$(2)kernel-savedefconfig: $$($(1)_OUT)/.config | $$($(1)_AFTER_BUILD)
	$$(call kbx_say,SAVE,$$($(1)_OUT)/defconfig)
	+$$(kbx_q)$$($(1)_MAKE) savedefconfig

# ---- the build ----
$(1)_WANT_MODULES = $$(if $$(filter auto,$$($(1)_MODULES)),$$(filter y,$$(kbx-kconfig $$($(1)_OUT)/.config,MODULES)),$$(filter y yes 1,$$($(1)_MODULES)))
$(1)_DTB_GOALS = $$(if $$(filter all,$$($(1)_DTBS)),dtbs,$$($(1)_DTBS))
$(1)_DTB_FILES = $$(if $$(filter all,$$($(1)_DTBS)),$$(shell find $$($(1)_BOOT)/dts -name '*.dtb' 2>/dev/null),$$(addprefix $$($(1)_BOOT)/dts/,$$($(1)_DTBS)))
$(1)_ARTIFACTS = $$($(1)_BOOT)/$$($(1)_IMAGE) $$($(1)_DTB_FILES) $$(if $$($(1)_UIMAGE_LOADADDR),$$($(1)_BOOT)/uImage)

$(2)kernel-build: $$($(1)_OUT)/.kbx-config-ok
	$$(foreach h,$$($(1)_PRE_BUILD_HOOKS),$$(call $$(h),$(1))$$(kbx_nl))
	$$(call kbx_say,KBUILD,$$($(1)_IMAGE) $$($(1)_DTB_GOALS) $$(if $$($(1)_WANT_MODULES),modules) [$$($(1)_ARCH)])
	+$$(kbx_q)$$($(1)_MAKE) $$($(1)_IMAGE) $$($(1)_DTB_GOALS) $$(if $$($(1)_WANT_MODULES),modules)
	$$(if $$($(1)_UIMAGE_LOADADDR),$$(call kbx_say,MKIMAGE,$$($(1)_BOOT)/uImage))
	$$(if $$($(1)_UIMAGE_LOADADDR),$$(kbx_q)mkimage -A $$($(1)_ARCH) -O linux -T kernel -C none -a $$($(1)_UIMAGE_LOADADDR) -e $$($(1)_UIMAGE_LOADADDR) -n "Linux-$$$$(cat $$($(1)_OUT)/include/config/kernel.release)" -d $$($(1)_BOOT)/$$($(1)_IMAGE) $$($(1)_BOOT)/uImage > /dev/null)
	$$(foreach h,$$($(1)_POST_BUILD_HOOKS),$$(call $$(h),$(1))$$(kbx_nl))

# Every artifact: whole, for this ARCH, of this release, within budget.
$(1)_RELEASE = $$(kbx-release $$($(1)_OUT))
define $(1)_VERIFY_ONE
$$(call kbx_say,VERIFY,$$(patsubst $$($(1)_OUT)/%,%,$$(f)))
$$(if $$(wildcard $$(f)),,$$(call kbx_fail,$$(f): missing: the build did not make it; is it enabled in $$($(1)_OUT)/.config?))
$$(if $$(wildcard $$(f)),$$(if $$(kbx-verify $$(f),$$($(1)_ARCH)),$$(call kbx_fail,$$(kbx-verify $$(f),$$($(1)_ARCH)))))
$$(if $$(wildcard $$(f)),$$(if $$(filter dtb,$$(kbx-identify $$(f))),,$$(if $$(filter $$($(1)_RELEASE),$$(kbx-release $$(f))),,$$(call kbx_fail,$$(f): its release $$(kbx-release $$(f)) is not the build's $$($(1)_RELEASE): a stale file?))))
$$(if $$($(1)_IMAGE_MAX_SIZE),$$(if $$(filter $$(f),$$($(1)_BOOT)/$$($(1)_IMAGE)),$$(if $$(shell test $$$$(stat -c %s $$(f)) -le $$($(1)_IMAGE_MAX_SIZE) || echo over),$$(call kbx_fail,$$(f): $$(shell stat -c %s $$(f)) bytes: over $(1)_IMAGE_MAX_SIZE ($$($(1)_IMAGE_MAX_SIZE)): a smaller config or a compressed image (KERNEL_IMAGE) fits))))
endef

$(2)kernel-verify:
	$$(foreach f,$$($(1)_ARTIFACTS),$$($(1)_VERIFY_ONE)$$(kbx_nl))

$(2)kernel: $(2)kernel-build
	$$(foreach f,$$($(1)_ARTIFACTS),$$($(1)_VERIFY_ONE)$$(kbx_nl))

$(2)kernel-dtbs: $$($(1)_OUT)/.kbx-config-ok | $$($(1)_AFTER_BUILD)
	$$(call kbx_say,KBUILD,dtbs)
	+$$(kbx_q)$$($(1)_MAKE) $$(or $$($(1)_DTB_GOALS),dtbs)

$(2)kernel-modules: $$($(1)_OUT)/.kbx-config-ok | $$($(1)_AFTER_BUILD)
	$$(call kbx_say,KBUILD,modules)
	+$$(kbx_q)$$($(1)_MAKE) modules

# A cross-built module tree must not land in the build host's /lib.
$(2)kernel-modules-install: $(2)kernel-modules-install-guard $$($(1)_OUT)/.kbx-config-ok | $$($(1)_AFTER_BUILD)
$(2)kernel-modules-install-guard:
	$$(if $$($(1)_CROSS),$$(if $$(filter-out / //,$$(strip $$(INSTALL_MOD_PATH))),,$$(call kbx_fail,$(2)kernel-modules-install: refusing INSTALL_MOD_PATH='$$(INSTALL_MOD_PATH)' for a $$($(1)_ARCH) build on this $$(kbx_host_srcarch) host: it would install into this machine's /lib/modules; set INSTALL_MOD_PATH to a staging directory)))
	@:
$(2)kernel-modules-install:
	$$(call kbx_say,KBUILD,modules)
	+$$(kbx_q)$$($(1)_MAKE) modules
	$$(call kbx_say,INSTALL,modules to $$(INSTALL_MOD_PATH))
	+$$(kbx_q)$$($(1)_MAKE) modules_install INSTALL_MOD_PATH=$$(abspath $$(INSTALL_MOD_PATH))

$(2)kernel-uimage: $(2)kernel-build
	$$(if $$($(1)_UIMAGE_LOADADDR),,$$(call kbx_fail,$(2)kernel-uimage: set $(1)_UIMAGE_LOADADDR (e.g. 0x80008000)))
	$$(foreach f,$$($(1)_BOOT)/uImage,$$($(1)_VERIFY_ONE)$$(kbx_nl))

$(2)kernel-release:
	$$(if $$(wildcard $$($(1)_OUT)/include/config/kernel.release),@echo $$($(1)_RELEASE),$$(call kbx_fail,$(2)kernel-release: $$($(1)_OUT) has no build yet: run make $(2)kernel))

# Boots the image in QEMU and checks that the banner's release is the
# image's (mk/boot-test.sh; KERNEL_BOOT_TIMEOUT seconds, default 60).
$(2)kernel-boot-test:
	$$(call kbx_say,QEMU,$$($(1)_BOOT)/$$($(1)_IMAGE) [$$($(1)_ARCH)])
	$$(kbx_q)sh $$(__kbx_top)/mk/boot-test.sh $$($(1)_ARCH) $$($(1)_BOOT)/$$($(1)_IMAGE) $$(kbx-release $$($(1)_BOOT)/$$($(1)_IMAGE)) $$($(1)_OUT)/boot-test.log $$(or $$(KERNEL_BOOT_TIMEOUT),60)

$(2)kernel-info:
	$$(info $$(kbx-report $$($(1)_OUT) $$(wildcard $$($(1)_ARTIFACTS))))
	@:

$(2)kernel-compile-commands: $$($(1)_OUT)/.kbx-config-ok | $$($(1)_AFTER_BUILD)
	$$(call kbx_say,GEN,$$($(1)_OUT)/compile_commands.json)
	+$$(kbx_q)$$($(1)_MAKE) compile_commands.json

$(2)kernel-clean $(2)kernel-mrproper:
	$$(call kbx_say,CLEAN,$$($(1)_OUT))
	+$$(kbx_q)if [ -f $$($(1)_OUT)/Makefile ]; then $$($(1)_MAKE) $$(patsubst $(2)kernel-%,%,$$@); fi
	$$(if $$(filter %mrproper,$$@),@rm -f $$($(1)_OUT)/.kbx-config-ok)

$(2)kernel-distclean:
	$$(call kbx_say,RM,$$($(1)_OUT))
	$$(kbx_q)rm -rf $$($(1)_OUT)

.PHONY: $(2)kernel $(2)kernel-build $(2)kernel-verify $(2)kernel-config \
	$(2)kernel-menuconfig $(2)kernel-nconfig $(2)kernel-savedefconfig \
	$(2)kernel-dtbs $(2)kernel-modules $(2)kernel-modules-install \
	$(2)kernel-modules-install-guard \
	$(2)kernel-uimage $(2)kernel-release $(2)kernel-info $(2)kernel-boot-test \
	$(2)kernel-compile-commands $(2)kernel-clean \
	$(2)kernel-mrproper $(2)kernel-distclean
endef

# A tarball KERNEL_SRC is unpacked once into KERNEL_WORK/src, for all boards.
$(KERNEL_WORK)/src/Makefile: $(call kbx_is_tarball,$(KERNEL_SRC))
	$(call kbx_say,UNPACK,$(KERNEL_SRC))
	$(kbx_q)rm -rf $(KERNEL_WORK)/src.tmp && mkdir -p $(KERNEL_WORK)/src.tmp && \
		tar -xf $(KERNEL_SRC) -C $(KERNEL_WORK)/src.tmp --strip-components=1 && \
		rm -rf $(KERNEL_WORK)/src && mv $(KERNEL_WORK)/src.tmp $(KERNEL_WORK)/src
	@touch $@

# KERNEL_PATCHES go into the shared source once (mk/patch.sh: git am in a
# git tree, else patch -p1; all or nothing).
kbx_srcdir = $(if $(call kbx_is_tarball,$(KERNEL_SRC)),$(KERNEL_WORK)/src,$(abspath $(KERNEL_SRC)))
$(KERNEL_WORK)/.kbx-patched: $(KERNEL_PATCHES) | $(kbx_srcdir)/Makefile
	@mkdir -p $(KERNEL_WORK)
	$(if $(KERNEL_PATCHES),$(call kbx_say,PATCH,$(notdir $(KERNEL_PATCHES))))
	$(if $(KERNEL_PATCHES),$(kbx_q)sh $(__kbx_top)/mk/patch.sh $(kbx_srcdir) $(KERNEL_PATCHES))
	@touch $@

kernel-patch: $(KERNEL_WORK)/.kbx-patched
.PHONY: kernel-patch

# A board: $(eval $(call kbx-kernel,NAME)).
kbx-kernel = $(call kbx-kernel-instance,$(1),$(1)-)

# The default kernel, unless the product Makefile only wants boards.
ifneq ($(KERNEL_NO_DEFAULT),1)
$(eval $(call kbx-kernel-instance,KERNEL,))
endif

endif
