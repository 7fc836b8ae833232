package router_test

import (
	"runtime"
	"time"
)

// heapSlack is how far above its baseline the heap may settle after abuse: generous (about
// ten times what a run measures), yet below what keeping one connection's buffers (about
// 12 KiB) for each of the test's hundreds of abusive connections would add.
const heapSlack = 2 << 20

// heapAfterGC is the live heap in bytes after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC() // a second cycle frees what finalizers of the first released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// settledHeap measures the heap until it is within slack of base, or until wait has passed
// (closed connections are torn down by the engine's goroutines, which may still be running).
// It returns the last figure; the caller compares it, so nothing here depends on timing.
func settledHeap(base, slack uint64) uint64 {
	deadline := time.Now().Add(wait)
	for {
		h := heapAfterGC()
		if h <= base+slack || time.Now().After(deadline) {
			return h
		}
		time.Sleep(50 * time.Millisecond)
	}
}
