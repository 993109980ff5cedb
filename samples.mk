# The targets of the sample services (orders, fulfilment), included by the Makefile. A project
# made with `copier copy` without the samples has neither them nor this file.

##@ The sample services

WRITE ?=
QUIET_MINUTES ?=
CLIENTS ?= 20
TENANTS ?= 10
SECONDS ?= 60
WARMUP ?= 30

.PHONY: bench
bench: $(STAMP) build ## Benchmarks: the orders API handler's init time next to a bare boto3 handler, artifact sizes
	$(BIN)/python benchmarks/cold_start.py

.PHONY: bench-load
bench-load: $(STAMP) tf-tools ## CLIENTS (20) clients of TENANTS (10) tenants for SECONDS (60) after WARMUP (30) on a new make local, then the consistency check
	@$(BIN)/python -m benchmarks.load --clients $(CLIENTS) --tenants $(TENANTS) --seconds $(SECONDS) --warmup $(WARMUP)

.PHONY: rebuild-read-model
rebuild-read-model: $(STAMP) ## Rebuild drifted tenants' read model from their orders: ENV=prod [TENANT=acme] [WRITE=1] (docs/operations.md)
	@$(if $(filter local,$(ENV)),$(MAKE) tf-emulator-check ENV=local)
	@$(BIN)/python -m scripts.rebuild_read_model --env $(ENV) $(if $(TENANT),--tenant "$(TENANT)") $(if $(WRITE),--write) \
	  $(if $(QUIET_MINUTES),--quiet-minutes $(QUIET_MINUTES)) $(if $(filter local,$(ENV)),--endpoint http://127.0.0.1:$(LOCAL_AWS_PORT))
