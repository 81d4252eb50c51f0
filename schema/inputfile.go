package schema

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxInputFile is the size limit of an input file (the args file, the
// config file, the hypervisor config): far more than any real fleet needs
// (the fixture fleet is 20 KiB), small enough to read whole.
const MaxInputFile = 16 << 20

// ReadInputFile reads an input file whole. It must be a regular file (or a
// symlink to one) of at most MaxInputFile bytes: a FIFO would block the
// run, a device such as /dev/zero would never end. The file is opened
// without blocking and checked again once open, so a FIFO swapped in
// after the first check is refused too.
func ReadInputFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := inputFileOK(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := inputFileOK(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxInputFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxInputFile {
		return nil, tooLarge(path)
	}
	return data, nil
}

func inputFileOK(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, not a regular file", path, fileKind(fi.Mode()))
	}
	if fi.Size() > MaxInputFile {
		return tooLarge(path)
	}
	return nil
}

func tooLarge(path string) error {
	return fmt.Errorf("%s is larger than %d MiB, the limit of an input file", path, MaxInputFile>>20)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}
