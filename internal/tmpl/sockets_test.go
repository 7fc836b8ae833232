package tmpl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/config"
)

// lister answers sockets() from a fixed list, after a wait as a cluster request would.
type lister struct {
	sockets []map[string]any
	wait    time.Duration
	asked   [][]string
	err     error
}

func (l *lister) ListSockets(rooms []string) ([]map[string]any, error) {
	l.asked = append(l.asked, rooms)
	time.Sleep(l.wait)
	return l.sockets, l.err
}

func compileTestExpr(t *testing.T, src string) *Program {
	t.Helper()
	var errs config.Errors
	p := compile(src, config.Pos{File: "c.yaml", Line: 1, Col: 1}, "v", Scopes{EventScope: true}, false, &errs)
	if p == nil {
		t.Fatalf("%s: %v", src, errs.Err())
	}
	return p
}

// TestSockets: sockets() lists what the Env's lister answers, with the rooms asked for, and is
// no read of the socket or of $env.
func TestSockets(t *testing.T) {
	l := &lister{sockets: []map[string]any{
		{"id": "a", "rooms": []string{"a", "lobby"}, "data": map[string]any{"nick": "ann"}},
		{"id": "b", "rooms": []string{"b"}, "data": map[string]any{}},
	}}
	tests := []struct {
		src   string
		rooms []string
		want  any
	}{
		{"map(sockets(), .id)", nil, []any{"a", "b"}},
		{`sockets("lobby", ["x", "y"])[0].data.nick`, []string{"lobby", "x", "y"}, "ann"},
		{"len(sockets(data.rooms))", []string{"r1"}, 2},
	}
	for _, tt := range tests {
		p := compileTestExpr(t, tt.src)
		if p.UsesSocket || p.whole {
			t.Errorf("%s reads the socket (%v) or $env (%v)", tt.src, p.UsesSocket, p.whole)
		}
		l.asked = nil
		env := &Env{Data: map[string]any{"rooms": []any{"r1"}}}
		env.SetSockets(l)
		got, err := p.Run(env)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.src, got, tt.want)
		}
		if !reflect.DeepEqual(l.asked, [][]string{tt.rooms}) {
			t.Errorf("%s asked for rooms %q, want %q", tt.src, l.asked, tt.rooms)
		}
	}
}

// TestSocketsFailures: without a lister, with a room that is no name, and when the lister
// fails, sockets() fails with what went wrong.
func TestSocketsFailures(t *testing.T) {
	tests := []struct {
		src    string
		lister SocketLister
		want   string
	}{
		{"sockets()", nil, "sockets() is not available here"},
		{"sockets(data)", &lister{}, "sockets() takes room names, got a number 5"},
		{`sockets("")`, &lister{}, "sockets(): a room name is empty"},
		{"sockets()", &lister{err: errors.New("2 nodes did not answer within 5s")}, "sockets(): 2 nodes did not answer within 5s"},
	}
	for _, tt := range tests {
		env := &Env{Data: 5.0}
		env.SetSockets(tt.lister)
		_, err := compileTestExpr(t, tt.src).Run(env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

// TestSocketsSpendNoBudget: the call of sockets() costs nothing of the budget however long it
// waits; what the expression does with the list is metered.
func TestSocketsSpendNoBudget(t *testing.T) {
	l := &lister{wait: 20 * time.Millisecond, sockets: []map[string]any{{"id": "a"}}}
	env := &Env{}
	env.SetSockets(l)
	b := &Budget{}
	b.Reset(1)
	env.SetBudget(b)
	if _, err := compileTestExpr(t, "len(sockets())").Run(env); err != nil {
		t.Fatal(err)
	}
	if b.left != 1 {
		t.Fatalf("sockets() spent %d steps", 1-b.left)
	}
	b.Reset(1)
	if _, err := compileTestExpr(t, "concat(map(sockets(), .id), map(sockets(), .id))").Run(env); !errors.As(err, new(*BudgetError)) {
		t.Fatalf("work on the list: err = %v, want the budget spent", err)
	}
}

// TestSocketsNotInPredicates: a sockets() call that would run once per element is a config
// error at its position; once, outside the predicate, it is fine.
func TestSocketsNotInPredicates(t *testing.T) {
	var errs config.Errors
	if p := compile("map(data, len(sockets(#)))", config.Pos{File: "c.yaml", Line: 3, Col: 10}, "v", Scopes{EventScope: true}, false, &errs); p != nil {
		t.Fatal("compiled")
	}
	if got := errs.Err().Error(); !strings.HasPrefix(got, "c.yaml:3:24: v: sockets() asks every node for its sockets") {
		t.Fatalf("got %s", got)
	}
	compileTestExpr(t, "let list = sockets(); filter(data, # in map(list, .id))")
	compileTestExpr(t, `filter(sockets(), .data.role == "admin")`)
}
