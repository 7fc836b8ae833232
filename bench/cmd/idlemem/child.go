package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// A client process holds its clients until its standard input ends. It prints "joined N"
// once all are connected (or "error ..."), and answers each "count" line with its counters.

// runChild is the client process's main.
func runChild(addr, laddr string, n, eio int) int {
	var cnt counters
	ids := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ids {
				c, err := dialClient(addr, "/socket.io/", laddr, "/chat", eio, 20*time.Second)
				if err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
				cnt.joined.Add(1)
				cnt.alive.Add(1)
				go c.hold(&cnt, "new-message", 25*time.Second)
			}
		}()
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	out := bufio.NewWriter(os.Stdout)
	if firstErr != nil {
		fmt.Fprintf(out, "error %d of %d joined: %v\n", cnt.joined.Load(), n, firstErr)
		out.Flush()
		return 1
	}
	fmt.Fprintf(out, "joined %d\n", cnt.joined.Load())
	out.Flush()
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "count" {
			fmt.Fprintf(out, "%d %d %d %d\n", cnt.alive.Load(), cnt.pings.Load(), cnt.received.Load(), cnt.ended.Load())
			out.Flush()
		}
	}
	return 0
}

// childProc is a client process seen from the measuring process.
type childProc struct {
	cmd *exec.Cmd
	in  *os.File
	out *bufio.Scanner
}

// childStats are a client process's counters.
type childStats struct{ alive, pings, received, ended int64 }

func (s *childStats) add(o childStats) {
	s.alive += o.alive
	s.pings += o.pings
	s.received += o.received
	s.ended += o.ended
}

func startChild(addr, laddr string, n, eio int) (*childProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-child", "-addr", addr, "-laddr", laddr, "-n", fmt.Sprint(n), "-eio", fmt.Sprint(eio))
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdin, cmd.Stderr = inR, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	inR.Close()
	return &childProc{cmd: cmd, in: inW, out: bufio.NewScanner(stdout)}, nil
}

func (c *childProc) waitJoined() error {
	if !c.out.Scan() {
		return fmt.Errorf("client process ended: %v", c.out.Err())
	}
	if line := c.out.Text(); !strings.HasPrefix(line, "joined ") {
		return fmt.Errorf("client process: %s", line)
	}
	return nil
}

func (c *childProc) count() (childStats, error) {
	var s childStats
	if _, err := fmt.Fprintln(c.in, "count"); err != nil {
		return s, err
	}
	if !c.out.Scan() {
		return s, fmt.Errorf("client process ended: %v", c.out.Err())
	}
	_, err := fmt.Sscan(c.out.Text(), &s.alive, &s.pings, &s.received, &s.ended)
	return s, err
}

func (c *childProc) stop() {
	c.in.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}
