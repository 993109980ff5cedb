# The targets of the template itself, included by the Makefile: a project made with `copier copy`
# has neither them nor this file (nor copier.yml, nor tests/template).

##@ The template

.PHONY: template-check
template-check: $(STAMP) tf-tools ## A project made with copier (acme, service billing, no samples): no sample name left, its lint, contract and unit tests, terraform validate; and copier update
	$(BIN)/python -m pytest tests/template

.PHONY: template-test
template-test: $(STAMP) ## Make a project with copier (acme, service billing, no samples) and run its whole make test
	@rm -rf $(CACHE)/template-test
	$(BIN)/copier copy --trust --defaults --quiet --data app_name=acme --data first_service=billing . $(CACHE)/template-test/acme
	cd $(CACHE)/template-test/acme && git init --quiet && $(MAKE) test
