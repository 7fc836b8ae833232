package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuPressure is the share of the last 10 s in which some runnable task waited for a CPU
// (/proc/pressure/cpu, "some avg10", in percent), or -1 where the kernel does not say. On a
// machine shared with other jobs it tells, better than the load average, whether a run now
// would measure the server or the queue for the CPU.
func cpuPressure() float64 {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "some" {
			continue
		}
		if v, ok := strings.CutPrefix(f[1], "avg10="); ok {
			p, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return p
			}
		}
	}
	return -1
}

// waitQuiet waits until CPU pressure is below limit (percent), for at most patience, and
// says how long it waited; limit 0 does not wait.
func waitQuiet(ctx context.Context, log io.Writer, limit float64, patience time.Duration) {
	if limit <= 0 || cpuPressure() < 0 {
		return
	}
	start := time.Now()
	for p := cpuPressure(); p >= limit; p = cpuPressure() {
		if time.Since(start) > patience {
			fmt.Fprintf(log, "benchrun: CPU pressure still %.0f%% after %s; running anyway\n", p, patience)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	if d := time.Since(start); d > time.Second {
		fmt.Fprintf(log, "benchrun: waited %s for CPU pressure below %.0f%%\n", d.Round(time.Second), limit)
	}
}
