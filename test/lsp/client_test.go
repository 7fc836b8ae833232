package lsp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// client speaks the Language Server Protocol (JSON-RPC with Content-Length headers) to a
// server process over its stdin and stdout, as an editor does.
type client struct {
	t   *testing.T
	cmd *exec.Cmd
	in  io.WriteCloser

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan json.RawMessage
	// diagnostics are the latest published for each document URI.
	diagnostics map[string][]diagnostic
	published   chan struct{}
	// settings answer the server's workspace/configuration requests, by section.
	settings map[string]any
}

type position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

type diagnostic struct {
	Range struct {
		Start position `json:"start"`
		End   position `json:"end"`
	} `json:"range"`
	Message  string `json:"message"`
	Severity int    `json:"severity"`
}

type message struct {
	ID     *json.RawMessage `json:"id,omitempty"`
	Method string           `json:"method,omitempty"`
	Params json.RawMessage  `json:"params,omitempty"`
	Result json.RawMessage  `json:"result,omitempty"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func start(t *testing.T, settings map[string]any, name string, args ...string) *client {
	t.Helper()
	cmd := exec.Command(name, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, cmd: cmd, in: in, waiting: map[int]chan json.RawMessage{}, diagnostics: map[string][]diagnostic{},
		published: make(chan struct{}, 1), settings: settings}
	go c.read(bufio.NewReader(out))
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return c
}

func (c *client) send(m any) {
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n%s", len(b), b); err != nil {
		c.t.Errorf("write to the language server: %v", err)
	}
}

// call sends a request and waits for its result.
func (c *client) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan json.RawMessage, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		c.t.Fatalf("no answer to %s", method)
	}
	return nil
}

func (c *client) notify(method string, params any) {
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// read dispatches what the server sends: answers to our requests, its own requests (which
// an editor must answer), and diagnostics.
func (c *client) read(r *bufio.Reader) {
	tp := textproto.NewReader(r)
	for {
		h, err := tp.ReadMIMEHeader()
		if err != nil {
			return
		}
		n, err := strconv.Atoi(h.Get("Content-Length"))
		if err != nil {
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var m message
		if json.Unmarshal(body, &m) != nil {
			continue
		}
		switch {
		case m.ID != nil && m.Method != "":
			c.answer(m)
		case m.ID != nil:
			var id int
			_ = json.Unmarshal(*m.ID, &id)
			c.mu.Lock()
			ch := c.waiting[id]
			delete(c.waiting, id)
			c.mu.Unlock()
			if ch != nil {
				ch <- m.Result
			}
		case m.Method == "textDocument/publishDiagnostics":
			var p struct {
				URI         string       `json:"uri"`
				Diagnostics []diagnostic `json:"diagnostics"`
			}
			_ = json.Unmarshal(m.Params, &p)
			c.mu.Lock()
			c.diagnostics[p.URI] = p.Diagnostics
			c.mu.Unlock()
			select {
			case c.published <- struct{}{}:
			default:
			}
		}
	}
}

// answer replies to a request of the server: its settings, and null to the rest.
func (c *client) answer(m message) {
	var result any
	if m.Method == "workspace/configuration" {
		var p struct {
			Items []struct {
				Section string `json:"section"`
			} `json:"items"`
		}
		_ = json.Unmarshal(m.Params, &p)
		out := make([]any, len(p.Items))
		for i, it := range p.Items {
			out[i] = c.settings[it.Section]
		}
		result = out
	}
	c.send(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
}

// waitDiagnostics waits until ok accepts the diagnostics published for uri.
func (c *client) waitDiagnostics(uri string, ok func([]diagnostic) bool) []diagnostic {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		d := c.diagnostics[uri]
		c.mu.Unlock()
		if ok(d) {
			return d
		}
		select {
		case <-c.published:
		case <-deadline:
			c.t.Fatalf("diagnostics for %s never matched; last: %+v", uri, d)
		}
	}
}
