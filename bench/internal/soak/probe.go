package soak

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ioroute/ioroute/bench/internal/procfs"
)

// ProcessProbe measures an `ioroute run --debug-listen ADDR` process: goroutines and heap
// from its profiles at DebugURL (http://ADDR/debug/pprof/), resident memory from /proc.
type ProcessProbe struct {
	PID      int
	DebugURL string
}

// probeClient opens a connection per request, so no idle connection outlives a probe.
var probeClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// Goroutines reads the total from the goroutine profile's first line.
func (p ProcessProbe) Goroutines() (int, error) {
	body, err := p.get("goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	line, _, _ := bytes.Cut(body, []byte("\n"))
	n, ok := strings.CutPrefix(string(line), "goroutine profile: total ")
	if !ok {
		return 0, fmt.Errorf("goroutine profile: unexpected first line %q", line)
	}
	return strconv.Atoi(n)
}

// Memory reads VmRSS from /proc and HeapAlloc from a heap profile taken after a collection.
func (p ProcessProbe) Memory() (rssKB, heapKB int64, err error) {
	st, err := procfs.Read(p.PID)
	if err != nil {
		return 0, 0, err
	}
	rssKB = st.RSSKiB
	body, err := p.get("heap?gc=1&debug=1")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "# HeapAlloc = "); ok {
			b, err := strconv.ParseInt(v, 10, 64)
			return rssKB, b >> 10, err
		}
	}
	return 0, 0, fmt.Errorf("heap profile without HeapAlloc")
}

// PeakRSS reads VmHWM, the process's highest resident memory, from /proc.
func (p ProcessProbe) PeakRSS() (int64, error) {
	st, err := procfs.Read(p.PID)
	return st.PeakRSSKiB, err
}

func (p ProcessProbe) get(profile string) ([]byte, error) {
	resp, err := probeClient.Get(p.DebugURL + profile)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", profile, resp.Status)
	}
	return body, err
}

// SelfProbe measures this process, for a server running in it (tests). Its goroutines are
// the server's and the users' together, so leaks on either side show.
type SelfProbe struct{}

// Goroutines counts this process's goroutines.
func (SelfProbe) Goroutines() (int, error) { return runtime.NumGoroutine(), nil }

// Memory reads VmRSS from /proc and the heap after a collection.
func (SelfProbe) Memory() (rssKB, heapKB int64, err error) {
	st, err := procfs.Read(os.Getpid())
	rssKB = st.RSSKiB
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return rssKB, int64(m.HeapAlloc >> 10), err
}
