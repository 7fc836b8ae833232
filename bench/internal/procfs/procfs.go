// Package procfs reads what the benchmarks measure of a process, and of the machine, from
// Linux's /proc: CPU time, resident memory, the load average.
package procfs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Stat is a process's CPU time and memory as Linux reports them.
type Stat struct {
	CPUSeconds float64 // user + system time
	RSSKiB     int64   // VmRSS: resident now
	PeakRSSKiB int64   // VmHWM: the peak resident size since the process started
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times; 100 on every Linux ABI Go
// supports.
const clockTicks = 100

// Read reads process pid's Stat.
func Read(pid int) (Stat, error) {
	var st Stat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return st, err
	}
	// the command name (field 2) is in parentheses and may hold spaces
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return st, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return st, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	// f[0] is field 3 (state): utime is field 14, stime field 15
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return st, fmt.Errorf("/proc/%d/stat: bad utime/stime", pid)
	}
	st.CPUSeconds = float64(ut+stime) / clockTicks

	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	sc := bufio.NewScanner(bytes.NewReader(s))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &st.RSSKiB
		case "VmHWM":
			dst = &st.PeakRSSKiB
		default:
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err == nil {
			*dst = n
		}
	}
	return st, nil
}

// RSSKiB is process pid's resident memory now, 0 when it cannot be read.
func RSSKiB(pid int) int64 {
	st, _ := Read(pid)
	return st.RSSKiB
}

// CPUSeconds is process pid's user + system time, 0 when it cannot be read.
func CPUSeconds(pid int) float64 {
	st, _ := Read(pid)
	return st.CPUSeconds
}

// LoadAvg is the machine's load average over 1, 5 and 15 minutes, "?" when unreadable.
func LoadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
