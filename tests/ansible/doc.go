// Package ansible holds tests of the phoenix.hypervisor collection through
// real Ansible: the module documentation against the schema, and
// ansible-playbook runs of the role and the module against localhost with
// the pct emulator. The playbook tests skip when ansible-playbook is missing.
package ansible
