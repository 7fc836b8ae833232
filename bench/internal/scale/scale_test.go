package scale_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/bench/internal/scale"
)

// TestMain lets this test binary be the load-generator workers Run starts, and fails the
// package when a goroutine outlives the tests.
func TestMain(m *testing.M) {
	scale.MaybeWorker()
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// smoke runs the scale machinery small: real ioroute nodes on a real redis-server, worker
// processes on their own source addresses. Nothing about timing is asserted.
func smoke(t *testing.T, bin string, nodes int, cfg scale.Config) scale.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := scale.StartCluster(ctx, scale.ClusterOptions{Server: scale.IORoute, Nodes: nodes, Bin: bin, Dir: t.TempDir(), Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Stop()
	cfg.Procs, cfg.ConnectTimeout, cfg.BroadcastTimeout, cfg.Gap, cfg.Rest = 2, 20*time.Second, 10*time.Second, 50*time.Millisecond, 200*time.Millisecond
	cfg.WorkerCmd = func() *exec.Cmd { return exec.Command(os.Args[0], "-test.run=^$") }
	res, err := scale.Run(ctx, cl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("connected in %.2f s; last receiver p50 %.0f ms, p99 %.0f ms (not asserted)", res.ConnectS, res.LastP50Ms, res.LastP99Ms)
	if res.Connected != cfg.Clients || res.Failed != 0 || len(res.Broadcasts) != cfg.Broadcasts {
		t.Fatalf("connected %d of %d (first error %q), %d broadcasts sent", res.Connected, cfg.Clients, res.FirstError, len(res.Broadcasts))
	}
	return res
}

func TestScaleSmoke(t *testing.T) {
	if _, err := scale.RaiseFileLimit(); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ioroute")
	if out, err := exec.Command("go", "build", "-o", bin, "../../../cmd/ioroute").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Every broadcast reaches every reading client once; the clients that stopped reading are
	// cut by the server's queue bound, each with its log line.
	t.Run("deliver and stall", func(t *testing.T) {
		res := smoke(t, bin, 2, scale.Config{Clients: 200, Broadcasts: 3, Stall: 4, FloodCount: 30, FloodSize: 500_000})
		for _, n := range res.PerNode {
			if n.Clients != 100 || n.Closed != 0 {
				t.Errorf("node %d: %d clients, %d closed; want 100, 0", n.Node, n.Clients, n.Closed)
			}
		}
		if res.Lost != 0 || res.Dup != 0 {
			t.Errorf("lost %d, duplicated %d; want 0, 0", res.Lost, res.Dup)
		}
		if res.Stalled != 4 || res.StalledCut != 4 || res.QueueFull != 4 {
			t.Errorf("%d stalled, %d cut, %d queue-full log lines; want 4, 4, 4", res.Stalled, res.StalledCut, res.QueueFull)
		}
	})

	// A node killed after the 2nd of 4 broadcasts: the others lose nothing; its own reading
	// clients lose exactly the last two.
	t.Run("kill a node", func(t *testing.T) {
		res := smoke(t, bin, 3, scale.Config{Clients: 150, Broadcasts: 4, KillAfter: 2})
		killed := res.PerNode[2]
		if !killed.Killed || killed.Clients != 50 || killed.Closed != 50 || killed.Lost != 50*2 {
			t.Errorf("killed node: %+v; want 50 clients closed, 100 (client, broadcast) lost", killed)
		}
		if res.Lost != 0 || res.Dup != 0 || res.LostKilled != 100 {
			t.Errorf("lost %d on the live nodes, %d on the killed one, duplicated %d; want 0, 100, 0", res.Lost, res.LostKilled, res.Dup)
		}
	})
}
