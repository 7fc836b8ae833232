// Package profiling writes the CPU and allocation profiles of a whole process run when the
// environment asks for them: `ioroute run` and the benchmark's hand-written servers use it, so
// that their profiles can be compared (BENCHMARKS.md, "Profiling").
package profiling

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// With CPUProfileEnv set to a file name, a process that calls Start writes a CPU profile of
// its whole run there when it stops; with MemProfileEnv, an allocation profile. These are
// environment variables rather than flags so they stay out of the commands' usage: they are
// for measuring ioroute, not for running it.
const (
	CPUProfileEnv = "IOROUTE_CPUPROFILE"
	MemProfileEnv = "IOROUTE_MEMPROFILE"
)

// Start starts what the environment asks for and returns the function that writes the
// profiles out; problems are reported on stderr, prefixed with prog, and never stop the
// process.
func Start(stderr io.Writer, prog string) (stop func()) {
	var cpu *os.File
	if path := os.Getenv(CPUProfileEnv); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: %v\n", prog, CPUProfileEnv, err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			_ = cpu.Close()
		}
		if path := os.Getenv(MemProfileEnv); path != "" {
			runtime.GC()
			f, err := os.Create(path)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "%s: %s: %v\n", prog, MemProfileEnv, err)
			}
		}
	}
}
