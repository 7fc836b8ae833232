package procfs

import (
	"os"
	"strings"
	"testing"
)

func TestReadSelf(t *testing.T) {
	st, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.RSSKiB <= 0 || st.PeakRSSKiB < st.RSSKiB || st.CPUSeconds < 0 {
		t.Fatalf("this process: %+v; want a resident size, a peak at least as large, and CPU time", st)
	}
	if RSSKiB(os.Getpid()) <= 0 {
		t.Fatal("RSSKiB of this process is 0")
	}
	if _, err := Read(-1); err == nil || RSSKiB(-1) != 0 || CPUSeconds(-1) != 0 {
		t.Fatal("a process that does not exist reads as something")
	}
	if f := strings.Fields(LoadAvg()); len(f) != 3 {
		t.Fatalf("LoadAvg() = %q, want three figures", LoadAvg())
	}
}
