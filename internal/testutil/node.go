package testutil

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NodeTimeout bounds one Node client process; the script's own deadline is shorter, so a
// stuck step is reported by the script before the process is killed.
const NodeTimeout = 20 * time.Second

// NodeMsg is one JSON line a Node client printed (see test/node/client.mjs).
type NodeMsg struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Message *string         `json:"message"`
	Data    json.RawMessage `json:"data"`
	Event   string          `json:"event"`
	Args    []any           `json:"args"`
	Reason  string          `json:"reason"`
	// Recovered is socket.recovered at a connect (version 4).
	Recovered bool `json:"recovered"`
	Step      int  `json:"step"`
	raw       string
}

// NodeProc is one running Node client.
type NodeProc struct {
	// Name labels the client in failure messages.
	Name   string
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// StartNode starts the Node client script client (test/node/client.mjs) running script. The process is
// always waited for: by wait, or at the end of the test.
func StartNode(t testing.TB, client, name string, script map[string]any) *NodeProc {
	t.Helper()
	node, path := NodeScript(t, client)
	arg, err := json.Marshal(script)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), NodeTimeout)
	p := &NodeProc{Name: name, cancel: cancel, done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, node, path, string(arg))
	p.cmd.Dir = filepath.Dir(path)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = time.Second
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: start node: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cancel()
		<-p.done
	})
	return p
}

// Result waits for the client to exit and returns everything it printed and how it exited.
func (p *NodeProc) Result(t testing.TB) ([]NodeMsg, error) {
	t.Helper()
	<-p.done
	return parseNodeOutput(t, p.Name, p.stdout.String()), p.err
}

// Wait waits for the client to exit successfully and returns what it printed, without the
// final "done" line.
func (p *NodeProc) Wait(t testing.TB) []NodeMsg {
	t.Helper()
	msgs, err := p.Result(t)
	if err != nil || len(msgs) == 0 || msgs[len(msgs)-1].Type != "done" {
		t.Fatalf("%s: node client failed: %v\nstdout:\n%s\nstderr:\n%s", p.Name, p.err, p.stdout.String(), p.stderr.String())
	}
	return msgs[:len(msgs)-1]
}

// RunNode runs a Node client to completion.
func RunNode(t testing.TB, client, name string, script map[string]any) []NodeMsg {
	t.Helper()
	return StartNode(t, client, name, script).Wait(t)
}

func parseNodeOutput(t testing.TB, name, out string) []NodeMsg {
	t.Helper()
	var msgs []NodeMsg
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		var m NodeMsg
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: stdout line is not JSON (%v): %q", name, err, line)
		}
		m.raw = line
		msgs = append(msgs, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: reading stdout: %v", name, err)
	}
	return msgs
}

// ClientScript builds a client.mjs script for url (namespace in the path) with a deadline well
// inside NodeTimeout.
func ClientScript(url string, version int, steps ...map[string]any) map[string]any {
	return map[string]any{"url": url, "version": version, "timeout": 10000, "steps": steps}
}

// Step is one client.mjs step.
type Step = map[string]any

// EventsOf returns the args of every event named name, in order.
func EventsOf(msgs []NodeMsg, name string) [][]any {
	var out [][]any
	for _, m := range msgs {
		if m.Type == "event" && m.Event == name {
			out = append(out, m.Args)
		}
	}
	return out
}

// MustConnect fails unless msgs starts with a connect line.
func MustConnect(t testing.TB, name string, msgs []NodeMsg) {
	t.Helper()
	if len(msgs) == 0 || msgs[0].Type != "connect" || msgs[0].ID == "" {
		t.Fatalf("%s: did not connect first; printed %s", name, RawLines(msgs))
	}
}

// RawLines renders the printed lines for failure messages.
func RawLines(msgs []NodeMsg) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("\n  ")
		b.WriteString(m.raw)
	}
	return b.String()
}

// JSONValue is v after a JSON round trip, as a client receives it, for comparisons.
func JSONValue(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
