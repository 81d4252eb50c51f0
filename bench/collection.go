package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// installCollection builds the collection phoenix.hypervisor as users get
// it (make collection, staged and written in the scratch folder, so the
// bench never writes into the working tree) and installs it there; it
// returns the collections path for ANSIBLE_COLLECTIONS_PATH.
func installCollection(b *bench) string {
	run("make collection", "make", "-s", "collection", "COLL_STAGE="+filepath.Join(b.work, "coll-stage"), "COLL_DIST="+b.work)
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
