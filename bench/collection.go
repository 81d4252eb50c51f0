package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// collectionFiles are the repository paths the collection is built from;
// they are copied so the bench never writes into the working tree.
var collectionFiles = []string{"galaxy.yml", "README.md", "CHANGELOG.md", "meta", "roles", "playbooks", "plugins/modules/phoenix_lxc.yml"}

// installCollection builds the collection phoenix.hypervisor around the
// module under test and installs it in the scratch folder; it returns the
// collections path for ANSIBLE_COLLECTIONS_PATH.
func installCollection(b *bench) string {
	src := filepath.Join(b.work, "coll-src")
	for _, f := range collectionFiles {
		must("collection sources", os.MkdirAll(filepath.Dir(filepath.Join(src, f)), 0o755))
		run("copy "+f, "cp", "-r", f, filepath.Join(src, f))
	}
	run("copy the module", "cp", b.module, filepath.Join(src, "plugins/modules/phoenix_lxc"))
	run("ansible-galaxy collection build", "ansible-galaxy", "collection", "build", "--force", "--output-path", b.work, src)
	tarballs, _ := filepath.Glob(filepath.Join(b.work, "phoenix-hypervisor-*.tar.gz"))
	if len(tarballs) != 1 {
		must("collection tarball", fmt.Errorf("want one phoenix-hypervisor-*.tar.gz in %s, found %v", b.work, tarballs))
	}
	coll := filepath.Join(b.work, "collections")
	run("ansible-galaxy collection install", "ansible-galaxy", "collection", "install", "--force", "-p", coll, tarballs[0])
	return coll
}

// run runs argv and stops the bench with its output if it fails.
func run(what string, argv ...string) {
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		must(what, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out))
	}
}
