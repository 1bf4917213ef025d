# dorisctl: `make run` starts the whole system on the embedded store; `make test` runs every check.
# Both set up everything they need from nothing (a Python 3.11+ interpreter is the only requirement).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ./data
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
# Debian packages the suite needs (each component appends its own).
SYSTEM_PACKAGES := etcd-server etcd-client openssh-server chromium postgresql mariadb-server
PROTO_SRC := $(wildcard proto/dorisctl/metaservice/proto/*.proto)

.PHONY: run test venv system-deps lint typecheck proto proto-check pytest bench bench-rpc bench-kv lock clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "dorisctl needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

run: $(STAMP)
	$(BIN)/dorisctl up --data-dir $(DATA)

test: $(STAMP) system-deps lint typecheck proto-check pytest

system-deps:
	@bash scripts/system-deps.sh $(SYSTEM_PACKAGES)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -I proto --python_out=src --pyi_out=src $(PROTO_SRC)

# Generated code is committed; fail if it no longer matches the .proto sources.
proto-check: $(STAMP)
	@rm -rf build/proto-check && mkdir -p build/proto-check
	@$(BIN)/python -m grpc_tools.protoc -I proto --python_out=build/proto-check --pyi_out=build/proto-check $(PROTO_SRC)
	@for f in build/proto-check/dorisctl/metaservice/proto/*; do \
		cmp -s $$f src/dorisctl/metaservice/proto/$$(basename $$f) || \
		{ echo "stale generated code: $$(basename $$f) (run 'make proto')"; exit 1; }; \
	done; echo "proto: generated code is up to date"

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/meta_http.py

# The same operations over HTTP, gRPC and baidu_std against one server (bench/meta_rpc.py).
bench-rpc: $(STAMP)
	$(BIN)/python bench/meta_rpc.py

# TxnKv commit/read rates: SQLite vs a 3-member etcd cluster (needs etcd-server installed).
bench-kv: $(STAMP) system-deps
	$(BIN)/python bench/kv_store.py

# Re-pin every Python dependency to what is installed now (after changing pyproject.toml).
lock:
	$(BIN)/pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
