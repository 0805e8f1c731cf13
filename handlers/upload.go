package handlers

import (
	"errors"
	"fmt"
	"io"
	"os"

	returns "github.com/returnsportal/returns"
)

// maxConcurrentUploads is how many return forms with photos are read and
// processed at once; more wait for their turn before their body is read. Each
// keeps up to maxUploadBytes in temporary files, so this bounds the disk that
// uploads take (the memory of decoding them is bounded by the photo processor).
const maxConcurrentUploads = 16

// photoFiles keeps the photos of one request in temporary files instead of
// memory: a request carries up to five photos of 8 MB, and ten at once would
// otherwise take 400 MB of a 256 MB machine.
//
// Each file is removed from its directory as soon as it is made, so it has no
// name while the request uses it: the system frees it when it is closed, or
// when the process ends, however it ends (a panic, a client that goes away,
// kill -9). close closes them all; call it when the request ends.
type photoFiles struct {
	files []*os.File
	names []string // files that could not be removed at once
}

// errSpill marks a failure to keep an upload in a file: the server's fault
// (a full disk), not the form's.
var errSpill = errors.New("keep an upload in a temporary file")

// add copies a part of at most limit bytes into a new temporary file (in
// os.TempDir, that is $TMPDIR or /tmp) and returns it as an upload. A part
// over limit gives errPartTooBig; a failure of the file, errSpill; a failure
// to read the part (a body cut off or over its cap), that error.
func (pf *photoFiles) add(part io.Reader, limit int64) (returns.PhotoUpload, error) {
	f, err := os.CreateTemp("", "return-photo-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSpill, err)
	}
	pf.files = append(pf.files, f)
	if err := os.Remove(f.Name()); err != nil {
		pf.names = append(pf.names, f.Name())
	}
	n, err := io.Copy(spillWriter{f}, io.LimitReader(part, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errPartTooBig
	}
	return io.NewSectionReader(f, 0, n), nil
}

// spillWriter writes to an upload's file, marking its errors with errSpill.
type spillWriter struct{ f *os.File }

func (w spillWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if err != nil {
		err = fmt.Errorf("%w: %w", errSpill, err)
	}
	return n, err
}

// close closes and removes every file.
func (pf *photoFiles) close() {
	for _, f := range pf.files {
		f.Close()
	}
	for _, name := range pf.names {
		os.Remove(name)
	}
	pf.files, pf.names = nil, nil
}
