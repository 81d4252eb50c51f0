#!/bin/bash
# Runs ansible-test on the collection as users get it: the built tarball is
# installed into a temporary ansible_collections/phoenix/hypervisor, and
# ansible-test runs from there, offline.
#
#   tests/ansible/ansible-test.sh sanity|integration|all TARBALL
#
# sanity: needs python3-voluptuous (and shellcheck for its shell checks).
#   Three of its tests want a virtualenv with packages from PyPI; offline,
#   each venv ansible-test asks for is pre-created from the system Python
#   (--system-site-packages, no pip) with the marker files ansible-test
#   writes after its own install, and the run is repeated.
# integration: the target tests/integration/targets/phoenix_lxc_module
#   (not phoenix_lxc: that name resolves to the collection's role), against the
#   pct emulator, built here as pctemu and put first on PATH (ansible-test
#   passes PATH through, but not other variables).
set -euo pipefail
cd "$(dirname "$0")/../.."

what=${1:?usage: $0 sanity|integration|all TARBALL}
tarball=$(realpath "${2:?usage: $0 sanity|integration|all TARBALL}")
python=/usr/bin/python3 # Debian's, which has ansible-test's dependencies
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
yamlcheck=$("$python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_util/target/tools/yamlcheck.py

work=$(mktemp -d /tmp/phoenix-ansible-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
ANSIBLE_COLLECTIONS_PATH=$work ansible-galaxy collection install --force -p "$work" "$tarball" >/dev/null
coll=$work/ansible_collections/phoenix/hypervisor
at=(ansible-test)
opts=(--color no --local --python "$pyver" --python-interpreter "$python")

# make_venv PATH: a sanity venv ansible-test takes as already installed.
make_venv() {
  rm -rf "$1"
  "$python" -m venv --system-site-packages --without-pip "$1"
  echo '[]' >"$1/meta.install.json"
  "$1/bin/python" "$yamlcheck" >"$1/meta.yaml.json"
  : >"$1/marker.txt"
}

sanity() {
  local out venv
  for _ in 1 2 3 4 5 6; do
    if out=$(cd "$coll" && "${at[@]}" sanity "${opts[@]}" 2>&1); then
      echo "$out"
      echo "ansible-test sanity: passed"
      return 0
    fi
    venv=$(grep -o '/[^" ]*/\.ansible/test/venv/sanity[^" ]*/bin/python" does not have pip' <<<"$out" |
      head -1 | sed 's|/bin/python" does not have pip||') || true
    if [ -z "$venv" ]; then
      echo "$out"
      echo "ansible-test sanity: FAILED" >&2
      return 1
    fi
    echo "pre-creating the offline sanity venv $venv"
    make_venv "$venv"
  done
  echo "$out"
  echo "ansible-test sanity: still asking for venvs after 6 tries" >&2
  return 1
}

integration() {
  mkdir -p "$work/bin"
  CGO_ENABLED=0 go build -o "$work/bin/pctemu" ./tests/pctemu
  (cd "$coll" && PATH="$work/bin:$PATH" "${at[@]}" integration "${opts[@]}" phoenix_lxc_module)
  echo "ansible-test integration phoenix_lxc_module: passed"
}

case $what in
  sanity) sanity ;;
  integration) integration ;;
  all) sanity && integration ;;
  *) echo "usage: $0 sanity|integration|all TARBALL" >&2; exit 2 ;;
esac
