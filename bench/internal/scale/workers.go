package scale

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// workerProc is one started load-generator process.
type workerProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	enc   *json.Encoder
}

func (p *workerProc) tell(c command) error { return p.enc.Encode(c) }

// startWorkers starts cfg.Procs load-generator processes whose answers go to b. stop tells
// them to quit and waits for them (killing any still there after 15 s); it is to be called
// even when startWorkers fails.
func startWorkers(cfg Config, b *board) ([]*workerProc, func(), error) {
	procs := make([]*workerProc, cfg.Procs)
	var readers sync.WaitGroup
	stop := func() {
		for _, p := range procs {
			if p != nil {
				_ = p.tell(command{Cmd: "quit"})
				_ = p.stdin.Close()
			}
		}
		for _, p := range procs {
			if p == nil {
				continue
			}
			exited := make(chan struct{})
			go func() { _ = p.cmd.Wait(); close(exited) }()
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = p.cmd.Process.Kill()
				<-exited
			}
		}
		readers.Wait()
	}
	for w := range cfg.Procs {
		cmd := cfg.WorkerCmd()
		cmd.Env = append(os.Environ(), WorkerEnv+"=1")
		if cfg.WorkerProcs > 0 {
			cmd.Env = append(cmd.Env, fmt.Sprintf("GOMAXPROCS=%d", cfg.WorkerProcs))
		}
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return procs, stop, err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return procs, stop, err
		}
		if err := cmd.Start(); err != nil {
			return procs, stop, fmt.Errorf("start worker: %w", err)
		}
		procs[w] = &workerProc{cmd: cmd, stdin: stdin, enc: json.NewEncoder(stdin)}
		readers.Add(1)
		go func() {
			defer readers.Done()
			b.listen(w, stdout)
		}()
	}
	return procs, stop, nil
}

// listen records worker w's answers until its stdout ends.
func (b *board) listen(w int, stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for sc.Scan() {
		var a answer
		if err := json.Unmarshal(sc.Bytes(), &a); err == nil {
			b.record(w, a)
		}
	}
	b.mu.Lock()
	b.exited[w] = true
	b.mu.Unlock()
}

func workerPIDs(procs []*workerProc) []int {
	var pids []int
	for _, p := range procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}
