package main

import (
	"log/slog"
	"runtime/debug"
)

// defaultMemoryLimit is the soft memory limit of the Go runtime when GOMEMLIMIT
// is not set: half of the 256 MB machine fly.toml deploys to (Fly's default
// size; fly.toml names none). The other half is for the kernel and Fly's init,
// SQLite's page cache and the binary itself. Photos being decoded take up to
// photo.DefaultMaxMemory (84 MiB) of it and everything else about 15 MiB, so
// the collector works harder only during large uploads; without a limit it
// would let the heap grow to twice what is live, past what the machine has.
const defaultMemoryLimit = 128 << 20

// setMemoryLimit sets defaultMemoryLimit unless GOMEMLIMIT is set, in which
// case the runtime has already applied it. It returns the limit in force.
func setMemoryLimit(getenv func(string) string, log *slog.Logger) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	log.Info("memory limit set; GOMEMLIMIT overrides it", "limit_mib", defaultMemoryLimit>>20)
	return defaultMemoryLimit
}
