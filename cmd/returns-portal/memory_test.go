package main

import (
	"log/slog"
	"runtime/debug"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)

	// Without GOMEMLIMIT, the portal sets a limit that fits its machine.
	debug.SetMemoryLimit(1 << 62) // the runtime's "no limit"
	if got := setMemoryLimit(envFunc(nil), log); got != 128<<20 || debug.SetMemoryLimit(-1) != 128<<20 {
		t.Errorf("setMemoryLimit() = %d, runtime limit %d; want 128 MiB", got, debug.SetMemoryLimit(-1))
	}

	// With GOMEMLIMIT, the runtime has applied it at start: it stays.
	debug.SetMemoryLimit(200 << 20) // as GOMEMLIMIT=200MiB would have
	if got := setMemoryLimit(envFunc(map[string]string{"GOMEMLIMIT": "200MiB"}), log); got != 200<<20 || debug.SetMemoryLimit(-1) != 200<<20 {
		t.Errorf("with GOMEMLIMIT: setMemoryLimit() = %d, runtime limit %d; want 200 MiB", got, debug.SetMemoryLimit(-1))
	}
}

// serve itself sets the limit.
func TestServeSetsMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	debug.SetMemoryLimit(1 << 62)
	startPortal(t, nil)
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("memory limit while serving = %d, want %d", got, defaultMemoryLimit)
	}
}
