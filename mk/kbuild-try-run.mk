# mk/kbuild-try-run.mk: read first by every one of Kbuild's own makes, which
# mk/kbuild.mk and mk/module.mk start with MAKEFILES naming this file (the
# environment carries it to each sub-make). It overrides the try-run of
# scripts/Makefile.compiler, behind cc-option, ld-option, as-instr and the
# rest, with kbx-kbuild-try-run: the same probe, answered from kbx's cache
# once it has run. kbx.so is loaded on a make's first probe, so the many
# sub-makes that probe nothing never load it. Without kbx.so, Kbuild's
# own try-run runs, as written there.
ifndef __kbx_try_run_mk
__kbx_try_run_mk := 1
__kbx_tr_so := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../plugin/kbx.so)
__kbx_tr_loaded = $(or $(filter $(__kbx_tr_so),$(.LOADED)),$(eval -load $(__kbx_tr_so))$(filter $(__kbx_tr_so),$(.LOADED)))
override try-run = $(if $(__kbx_tr_loaded),$(kbx-kbuild-try-run $(1),$(2),$(3),$(TMPOUT)),$(shell set -e;	\
	TMP=$(TMPOUT)/tmp;		\
	trap "rm -rf $(TMPOUT)" EXIT;	\
	mkdir -p $(TMPOUT);		\
	if ($(1)) >/dev/null 2>&1;	\
	then echo "$(2)";		\
	else echo "$(3)";		\
	fi))
endif
