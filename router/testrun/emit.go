package testrun

import (
	"fmt"
	"sort"
	"time"

	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// emit sends a client's event; asked for an acknowledgement, it waits for it and compares.
func (ru *run) emit(s *testfile.Step) *failure {
	c := ru.clients[s.Client]
	var args []any
	switch {
	case s.Args != nil:
		a, err := ru.resolve(s.Args)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		args = a.([]any)
	case s.Data != nil:
		d, err := ru.resolve(s.Data)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		args = []any{d}
	}
	ru.ran = ru.handler(s.Client, s.Event)
	if !s.WantsAck() {
		if err := c.wire.emit(s.Event, args, nil); err != nil {
			return failAt(s.Pos, "", "%s: %v", s, err)
		}
		return nil
	}
	replies := make(chan []any, 1)
	if err := c.wire.emit(s.Event, args, func(r []any) { replies <- r }); err != nil {
		return failAt(s.Pos, "", "%s: %v", s, err)
	}
	t := time.NewTimer(ru.timeout(s))
	defer t.Stop()
	var got []any
	select {
	case got = <-replies:
	case <-t.C:
		return failAt(s.Pos, "", "%s: no acknowledgement within %s", s, ru.timeout(s))
	}
	var first any
	if len(got) > 0 {
		first = got[0]
	}
	switch {
	case s.AckArgs != nil:
		want, err := ru.resolve(s.AckArgs)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		if !equal(want, got) {
			return failAt(s.AckArgs.Node.Pos, diff(want, got), "%s: the acknowledgement has other arguments", s)
		}
	case s.AckContains != nil:
		want, err := ru.resolve(s.AckContains)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		if len(got) == 0 || !contains(want, first) {
			return failAt(s.AckContains.Node.Pos, diff(want, first), "%s: the acknowledgement does not contain what is expected", s)
		}
	default:
		want, err := ru.resolve(s.Ack)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		if len(got) == 0 || !equal(want, first) {
			return failAt(s.Ack.Node.Pos, diff(want, first), "%s: another acknowledgement", s)
		}
	}
	return nil
}

// handler describes the config handler an event of client name runs, for failures.
func (ru *run) handler(name, event string) string {
	spec := ru.test.Clients[name]
	ns := ru.table.Namespaces[spec.Namespace]
	if ns == nil {
		return fmt.Sprintf("none: the config declares no namespace %s, so the server refuses %s", spec.Namespace, name)
	}
	h := ns.Events[event]
	switch event {
	case "connect":
		h = ns.Connect
	case "disconnect":
		h = ns.Disconnect
	}
	by := fmt.Sprintf("%s's %q", name, event)
	if h == nil && event != "connect" && event != "disconnect" {
		h = ns.CatchAll
	}
	if h == nil {
		return fmt.Sprintf("none: %s has no handler for %q (%s)", spec.Namespace, event, by)
	}
	return fmt.Sprintf("%s %s (for %s)", h.Pos, h.Path, by)
}

// rooms waits until each client's socket is in the rooms expected, as the server sees them.
func (ru *run) rooms(s *testfile.Step) *failure {
	deadline := time.Now().Add(ru.timeout(s))
	for _, cr := range s.Rooms {
		c := ru.clients[cr.Client]
		want := []string{}
		for _, v := range cr.Rooms {
			r, err := ru.resolve(v)
			if err != nil {
				return failAt(v.Node.Pos, "", "%v", err)
			}
			want = append(want, tmpl.Stringify(r))
		}
		sort.Strings(want)
		ns := ru.test.Clients[cr.Client].Namespace
		for {
			got, ok := ru.router.Rooms(ns, c.id)
			if got == nil {
				got = []string{}
			}
			if ok && equal(toAny(want), toAny(got)) {
				break
			}
			if time.Now().After(deadline) {
				if !ok {
					return failAt(cr.Pos, "", "rooms %s: the server has no socket %s on %s", cr.Client, c.id, ns)
				}
				return failAt(cr.Pos, diff(toAny(want), toAny(got)), "rooms %s: in other rooms after %s (its own id room aside)", cr.Client, ru.timeout(s))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
