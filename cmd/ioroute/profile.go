package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// Profiling for the benchmark (BENCHMARKS.md, "Profiling"): with IOROUTE_CPUPROFILE set to a
// file name, `ioroute run` writes a CPU profile of its whole run there when it stops; with
// IOROUTE_MEMPROFILE, an allocation profile. These are environment variables rather than flags
// so they stay out of the command line's usage: they are for measuring ioroute, not for
// running it.
const (
	cpuProfileEnv = "IOROUTE_CPUPROFILE"
	memProfileEnv = "IOROUTE_MEMPROFILE"
)

// startProfiles starts what the environment asks for and returns the function that writes the
// profiles out; problems are reported on stderr and never stop the server.
func startProfiles(stderr io.Writer) (stop func()) {
	var cpu *os.File
	if path := os.Getenv(cpuProfileEnv); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ioroute run: %s: %v\n", cpuProfileEnv, err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			_ = cpu.Close()
		}
		if path := os.Getenv(memProfileEnv); path != "" {
			runtime.GC()
			f, err := os.Create(path)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "ioroute run: %s: %v\n", memProfileEnv, err)
			}
		}
	}
}
