#!/bin/sh
# phoenix.hypervisor.phoenix_lxc runs through the collection's action plugin
# (plugins/action/phoenix_lxc.py), which runs the binary for the target's
# architecture from binaries/. This stub is what plugins/modules/phoenix_lxc
# holds in the built collection, beside its documentation (phoenix_lxc.yml),
# so that ansible-doc finds the module; run on its own, it fails the task.
echo '{"failed": true, "changed": false, "msg": "phoenix_lxc must run through the action plugin of the collection phoenix.hypervisor (call it as phoenix.hypervisor.phoenix_lxc); this file is only its stub"}'
exit 1
