# mk/kbx.mk: loads kbx.so into this make, building it first from the kbx
# source tree when it is missing. Included by kbuild.mk and module.mk;
# every sub-make that includes them loads it again for itself.
ifndef __kbx_loaded

__kbx_top := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
KBX_SO ?= $(__kbx_top)/plugin/kbx.so

ifeq ($(filter load,$(.FEATURES)),)
$(error kbx: this make ($(MAKE_VERSION)) has no 'load' feature; kbx needs GNU Make 4.0 or later built with loadable-object support (Debian's make is))
endif

# A plain 'load' of a missing object is fatal even when a rule could build
# it: '-load' lets make go on, remake the object and restart.
-load $(KBX_SO)

ifneq ($(filter $(KBX_SO),$(.LOADED)),)
__kbx_loaded := 1
else ifeq ($(wildcard $(__kbx_top)/plugin/make.c),)
$(error kbx: cannot load $(KBX_SO): no such object and no kbx source tree to build it from; set KBX_SO to an installed kbx.so)
else ifneq ($(MAKE_RESTARTS),)
$(error kbx: $(KBX_SO) was built but make still cannot load it; run 'make -C $(__kbx_top)' and read its errors)
else ifneq ($(wildcard $(KBX_SO)),)
$(error kbx: $(KBX_SO) exists but could not be loaded (damaged, or built for another make or architecture); rebuild it with 'make -C $(__kbx_top) clean all')
else
# Make 4.3 crashes when a loaded object's recipe leaves the file as it was:
# the touch guarantees a change whatever the sub-make decided.
$(KBX_SO): $(wildcard $(__kbx_top)/plugin/*.c $(__kbx_top)/plugin/*.h)
	@echo '  BUILD   $@'
	+@$(MAKE) --no-print-directory -C $(__kbx_top) plugin/kbx.so >/dev/null && touch $@
endif

endif
