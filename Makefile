# phoenix_lxc: build, test and lint. Go 1.26 must be on PATH
# (export PATH=/usr/local/go/bin:$PATH).

SHELL    := /bin/bash
BIN      := plugins/modules/phoenix_lxc
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BUDGET   := 10485760

.PHONY: all build test lint lint-tools clean generate pctemu deps fuzz

FUZZTIME ?= 30s

all: lint build test

## deps: download the Go modules (needs network once)
deps:
	go mod download

## build: the static module binary, with its size (budget 10 MiB)
build:
	CGO_ENABLED=0 go build -trimpath -ldflags='$(LDFLAGS)' -o $(BIN) .
	@size=$$(stat -c %s $(BIN)); \
	  echo "$(BIN): $$size bytes ($$((size / 1024)) KiB, budget $$(($(BUDGET) / 1024)) KiB)"; \
	  test $$size -le $(BUDGET) || { echo "$(BIN) is over the 10 MiB budget" >&2; exit 1; }

## test: every package's tests; a line per package, failed tests' output, one summary line
test:
	@go build -o bin/test-summary ./tests/summary
	@set -o pipefail; go test -count=1 -json ./... | bin/test-summary

## fuzz: each fuzz target for FUZZTIME (default 30s). Go 1.26's fuzz coordinator can report a
## bare "context deadline exceeded" as -fuzztime ends, with no failing input (golang/go#75804,
## fixed in Go 1.27): such a run, and only such a run, is tried once more. A real finding always
## writes "Failing input written to testdata/fuzz/..." and fails at once.
fuzz:
	@mkdir -p bin; for t in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t/*_test.go | sed 's/func //'); do \
	    for try in 1 2; do \
	      echo "fuzz $$t $$f"; \
	      if go test $$t -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) > bin/fuzz.log 2>&1; then cat bin/fuzz.log; break; fi; \
	      cat bin/fuzz.log; \
	      if [ $$try = 1 ] && grep -q 'context deadline exceeded' bin/fuzz.log && ! grep -q 'Failing input written' bin/fuzz.log; then \
	        echo "fuzz $$t $$f: the Go 1.26 deadline race (golang/go#75804), no failing input: once more"; continue; fi; \
	      exit 1; \
	    done; \
	  done; \
	done

## lint: gofmt must list nothing; go vet, staticcheck (staticcheck.conf), deadcode and
## go mod tidy -diff must pass (make lint-tools installs the pinned tools)
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION    := v0.52.0
GOBIN_DIR           := $(shell go env GOPATH)/bin
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:" $$out >&2; exit 1; fi
	go vet ./...
	@test -x $(GOBIN_DIR)/staticcheck -a -x $(GOBIN_DIR)/deadcode || { echo "run make lint-tools first" >&2; exit 1; }
	$(GOBIN_DIR)/staticcheck ./...
	@# the product binary, with the emulator and the bench as roots too: the typed
	@# Proxmox values of internal/pve/conf that only the emulator uses yet count as used
	@# internal/testkit is the tests' kit (the bench uses part of it): exempt
	@out=$$($(GOBIN_DIR)/deadcode . ./tests/pctemu ./bench | grep -v '^internal/testkit/'); \
	  if [ -n "$$out" ]; then echo "deadcode: unreachable functions:"; echo "$$out"; exit 1; fi
	go mod tidy -diff

## lint-tools: staticcheck and deadcode at pinned versions, with go install
lint-tools:
	@test -x $(GOBIN_DIR)/staticcheck && $(GOBIN_DIR)/staticcheck -version | grep -q $(STATICCHECK_VERSION:v%=%) \
	  || go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@test -x $(GOBIN_DIR)/deadcode || go install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)

## generate: rewrite the JSON Schemas under schema/ from the Go types
generate:
	go generate ./...

## pctemu: the pct emulator used by tests
pctemu:
	go build -o bin/pct ./tests/pctemu

clean:
	rm -f $(BIN)
	rm -rf bin

## ---- the Ansible collection phoenix.hypervisor (galaxy.yml) ----
.PHONY: collection demo demo-clean ansible-test

COLL_VERSION  := $(shell sed -n 's/^version: *//p' galaxy.yml)
COLL_DIST     ?= dist
COLL_STAGE    ?= bin/collection
COLL_TARBALL  := $(COLL_DIST)/phoenix-hypervisor-$(COLL_VERSION).tar.gz
COLL_ARCHES   := amd64 arm64
# what the collection ships from the repository (the binaries and the module stub are added)
COLL_FILES    := galaxy.yml README.md CHANGELOG.md meta roles playbooks plugins/action \
  plugins/modules/phoenix_lxc.yml tests/integration/targets tests/sanity
GALAXY_LIMIT  := 20000000
DEMO_CTIDS    ?= 9000,9001
DEMO_DIR      ?= /srv/phoenix-demo
DEMO_LXCPATH  ?= /var/lib/phoenix-demo
DEMO_COLL     := $(CURDIR)/.collections
DEMO_WORK     := $(CURDIR)/.demo/$(DEMO_CTIDS)
DEMO_PLAY      = PHOENIX_LXC_LXCPATH=$(DEMO_LXCPATH) ANSIBLE_COLLECTIONS_PATH=$(DEMO_COLL) \
  ansible-playbook -i localhost, -c local -e ansible_python_interpreter=/usr/bin/python3 \
  -e demo_ctids=$(DEMO_CTIDS) -e demo_dir=$(DEMO_DIR) -e demo_work=$(DEMO_WORK) \
  -e phoenix_lxc_cache_dir=$(DEMO_WORK)/cache

## collection: one tarball, $(COLL_TARBALL), for every target: the module for linux amd64 and
## arm64 in binaries/ (with SHA256SUMS), the action plugin that picks one per target, and a stub
## at plugins/modules/phoenix_lxc for ansible-doc; staged in $(COLL_STAGE), so $(BIN) is not touched
collection:
	rm -rf $(COLL_STAGE)
	mkdir -p $(COLL_STAGE)/binaries $(COLL_STAGE)/plugins/modules $(COLL_DIST)
	cp -r --parents $(COLL_FILES) $(COLL_STAGE)/
	install -m 0644 collection/module_stub.sh $(COLL_STAGE)/plugins/modules/phoenix_lxc
	@set -e; for a in $(COLL_ARCHES); do \
	  echo "go build linux/$$a"; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$a go build -trimpath -ldflags='$(LDFLAGS)' -o $(COLL_STAGE)/binaries/phoenix_lxc_linux_$$a .; \
	done
	cd $(COLL_STAGE)/binaries && sha256sum phoenix_lxc_linux_* > SHA256SUMS
	ansible-galaxy collection build --force --output-path $(COLL_DIST) $(COLL_STAGE)
	@size=$$(stat -c %s $(COLL_TARBALL)); \
	  echo "$(COLL_TARBALL): $$size bytes (Galaxy's limit $(GALAXY_LIMIT)), linux $(COLL_ARCHES)"; \
	  test $$size -lt $(GALAXY_LIMIT) || { echo "$(COLL_TARBALL) is over Galaxy's limit" >&2; exit 1; }

## demo: as root, real LXC containers converged by playbooks/demo.yml through the role
## (DEMO_CTIDS=template,clone default 9000,9001; DEMO_DIR default /srv/phoenix-demo, its data/ is the
## shared volume; DEMO_LXCPATH default /var/lib/phoenix-demo), then a dry run of a changed spec
demo:
	@test "$$(id -u)" = 0 || { echo "make demo must run as root (it creates LXC containers)" >&2; exit 1; }
	@missing=""; for p in lxc busybox-static uidmap rsync ansible-core; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	    apt-get update && apt-get install -y --no-install-recommends $$missing; fi
	@for f in /etc/subuid /etc/subgid; do \
	  grep -qx 'root:100000:65536' $$f 2>/dev/null || { echo "adding root:100000:65536 to $$f"; echo 'root:100000:65536' >> $$f; }; done
	mkdir -p $(DEMO_LXCPATH)
	$(MAKE) collection
	ansible-galaxy collection install --force -p $(DEMO_COLL) $(COLL_TARBALL)
	$(DEMO_PLAY) playbooks/demo.yml
	@echo "== the dry run: its recap counts what WOULD change; nothing is written"
	$(DEMO_PLAY) playbooks/demo_dry_run.yml

## demo-clean: destroy the demo's containers through the module, then remove only what the demo made
## of DEMO_CTIDS (its hello.txt, data/ and DEMO_DIR when empty, the LXC path when empty, its .demo
## folder; .collections once no demo is left)
demo-clean:
	@test "$$(id -u)" = 0 || { echo "make demo-clean must run as root" >&2; exit 1; }
	@if [ -f $(DEMO_WORK)/fleet.json ] && [ -d $(DEMO_LXCPATH) ]; then \
	  test -d $(DEMO_COLL)/ansible_collections/phoenix/hypervisor || { \
	    $(MAKE) collection && \
	    ansible-galaxy collection install --force -p $(DEMO_COLL) $(COLL_TARBALL); } || exit 1; \
	  $(DEMO_PLAY) -e phoenix_hosts=localhost -e phoenix_lxc_backend=lxc \
	    -e phoenix_lxc_config_file=$(DEMO_WORK)/fleet.json playbooks/destroy.yml || exit 1; \
	fi
	rm -f $(DEMO_DIR)/data/hello.txt
	@for d in $(DEMO_DIR)/data $(DEMO_DIR) $(DEMO_LXCPATH); do \
	  if [ -d $$d ]; then rmdir $$d 2>/dev/null && echo "removed $$d" || echo "kept $$d: not empty (not only the demo's)"; fi; done
	rm -rf $(DEMO_WORK)
	@rmdir $(CURDIR)/.demo 2>/dev/null && rm -rf $(DEMO_COLL) || true

## ansible-test: the tests through real ansible-playbook (tests/ansible)
ansible-test:
	go test -count=1 -v ./tests/ansible/

## ---- benchmarks (bench/, BENCH.md) ----
.PHONY: bench bench-short

## bench: one table of ratios, measured in one run on this machine (installs what it needs as root)
bench: build
	bash bench/setup.sh
	go run ./bench

## bench-short: the same rows, smaller, for CI (under 4 minutes; the SSH rows take about 1)
bench-short: build
	bash bench/setup.sh
	go run ./bench -short

## ---- Ansible tooling on the collection (tests/ansible/ansible-test.sh, .ci/steps/20-ansible.sh) ----
.PHONY: ansible-lint ansible-sanity ansible-integration ansible-ssh ansible-checks


## ansible-lint: ansible-lint (production profile, offline) on the role, playbooks and test playbooks
ansible-lint:
	@d=$$(mktemp -d); mkdir -p $$d/ansible_collections/phoenix && \
	  ln -s $(CURDIR) $$d/ansible_collections/phoenix/hypervisor && \
	  ANSIBLE_COLLECTIONS_PATH=$$d ansible-lint --offline -p --profile production \
	    roles/phoenix_lxc playbooks tests/integration/targets tests/ansible/testdata; \
	  rc=$$?; rm -rf $$d; exit $$rc

## ansible-sanity: ansible-test sanity, offline, on the built collection
ansible-sanity:
	$(MAKE) collection
	tests/ansible/ansible-test.sh sanity $(COLL_TARBALL)

## ansible-integration: ansible-test integration (target phoenix_lxc_module, pct emulator), offline
ansible-integration:
	$(MAKE) collection
	tests/ansible/ansible-test.sh integration $(COLL_TARBALL)

## ansible-ssh: the role over real SSH to 127.0.0.1 (needs openssh-server; fails if it skipped)
ansible-ssh:
	@# (no tee /dev/stderr: opening it truncates a log file that stderr is redirected to)
	@mkdir -p bin; set -o pipefail; go test -count=1 -v -run '^TestRoleOverSSH$$' ./tests/ansible/ > bin/ansible-ssh.log 2>&1; rc=$$?; \
	  cat bin/ansible-ssh.log; test $$rc = 0 && grep -q -- '--- PASS: TestRoleOverSSH' bin/ansible-ssh.log

## ansible-checks: all of the above and the ansible-playbook tests
ansible-checks: ansible-lint ansible-test ansible-ssh ansible-sanity ansible-integration
