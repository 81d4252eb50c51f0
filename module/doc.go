// Package module is phoenix_lxc's Ansible contract and command line: it
// reads the args file Ansible writes (or the flags of phoenix_lxc run),
// validates every option and container spec before anything is opened,
// builds a pipeline.Request, runs it, and prints exactly one JSON object
// with secrets masked.
package module
