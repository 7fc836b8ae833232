package testutil

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redis is a redis-server (Debian's package) that a test started on a free loopback port,
// without persistence. It is stopped when the test ends.
type Redis struct {
	// Addr is 127.0.0.1:PORT; URL is redis://Addr/0.
	Addr string
	URL  string
	port int
	dir  string
	cmd  *exec.Cmd
	t    testing.TB
}

// StartRedis starts a redis-server for the test. A machine without redis-server fails the
// test (install it with: apt-get install redis-server).
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	_, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed (apt-get install redis-server): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	r := &Redis{port: port, Addr: "127.0.0.1:" + strconv.Itoa(port), dir: t.TempDir(), t: t}
	r.URL = "redis://" + r.Addr + "/0"
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Start starts the server again on the same port after Stop.
func (r *Redis) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--logfile", "")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	deadline := time.Now().Add(Wait)
	for {
		if err := r.ping(); err == nil {
			return
		} else if time.Now().After(deadline) {
			r.Stop()
			r.t.Fatalf("redis-server on %s never answered: %v", r.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server (as a crash would) and waits until it is gone.
func (r *Redis) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// Command runs one Redis command (inline protocol) and returns its first reply line.
func (r *Redis) Command(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", r.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(Wait))
	if _, err := fmt.Fprintf(c, "%s\r\n", strings.Join(args, " ")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line), err
}

func (r *Redis) ping() error {
	got, err := r.Command("PING")
	if err != nil {
		return err
	}
	if got != "+PONG" {
		return fmt.Errorf("PING answered %q", got)
	}
	return nil
}
