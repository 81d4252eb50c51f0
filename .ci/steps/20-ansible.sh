#!/bin/bash
# CI step: the Ansible tooling on the collection phoenix.hypervisor, after
# .ci/run's `make test` (which already ran the ansible-playbook tests of
# tests/ansible). Runs as root in a fresh clone; installs what it needs.
#   - the role over real SSH to an sshd started on 127.0.0.1 (must not skip)
#   - ansible-lint, production profile, offline
#   - ansible-test sanity and the integration target phoenix_lxc_module,
#     offline, on the collection built and installed from its tarball
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH

packages=(
  ansible-core
  ansible-lint        # make ansible-lint
  python3-voluptuous  # ansible-test sanity (validate-modules, runtime-metadata)
  shellcheck          # ansible-test sanity's shell checks
  python3-pycodestyle # ansible-test sanity's pep8, on the action plugin
  pylint              # ansible-test sanity's pylint, on the action plugin
  openssh-server      # the SSH test's sshd
  openssh-client
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# sshd (UsePAM no) refuses even key logins to a locked account ("!" in
# /etc/shadow); "*" allows no password either, but is not locked.
if [ "$(getent shadow root | cut -d: -f2 | cut -c1)" = "!" ]; then
  usermod -p '*' root
fi

make build
make ansible-ssh
make ansible-lint
make ansible-sanity
make ansible-integration
