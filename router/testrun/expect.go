package testrun

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config/testfile"
)

// expect checks what each client of an expect step receives: first the events and
// disconnections it waits for, then, for as long as the step watches, that clients expecting
// nothing receive nothing.
func (ru *run) expect(s *testfile.Step) *failure {
	deadline := time.Now().Add(ru.timeout(s))
	var quiet []*testfile.ClientExpect
	for _, ce := range s.Expect {
		c := ru.clients[ce.Client]
		switch {
		case ce.Nothing:
			quiet = append(quiet, ce)
		case ce.Disconnected:
			for {
				_, gone, _ := c.snapshot()
				if gone {
					c.wire.close() // the server closed the socket; this frees the client
					c.wire = nil
					break
				}
				if !c.waitChange(deadline) {
					return failAt(ce.Pos, ru.unused(c), "expect %s: still connected after %s; the step expects the server to disconnect it", ce.Client, ru.timeout(s))
				}
			}
		default:
			after := 0
			for _, ev := range ce.Events {
				i, fl := ru.receive(c, ce, ev, after, deadline, ru.timeout(s))
				if fl != nil {
					return fl
				}
				after = i + 1
			}
		}
	}
	if len(quiet) == 0 {
		return nil
	}
	watch := testfile.DefaultQuiet
	if s.Timeout > 0 {
		watch = s.Timeout
	}
	until := time.Now().Add(watch)
	for _, ce := range quiet {
		c := ru.clients[ce.Client]
		for {
			if evs := unusedEvents(c); len(evs) > 0 {
				return failAt(ce.Pos, ru.unused(c), "expect %s: nothing, but it received %q", ce.Client, evs[0].name)
			}
			if !c.waitChange(until) {
				break
			}
		}
	}
	return nil
}

// receive waits until c has received, after index after, an event not yet expected that
// matches ev; it returns its index.
func (ru *run) receive(c *client, ce *testfile.ClientExpect, ev *testfile.Event, after int, deadline time.Time, timeout time.Duration) (int, *failure) {
	match, want, err := ru.matcher(ev)
	if err != nil {
		return 0, failAt(ev.Pos, "", "%v", err)
	}
	for {
		events, gone, why := c.snapshot()
		for i := after; i < len(events); i++ {
			e := events[i]
			if !e.used && e.name == ev.Name && match(e.args) {
				e.used = true
				if ev.Reply != nil {
					reply, err := ru.resolve(ev.Reply)
					if err != nil {
						return 0, failAt(ev.Reply.Node.Pos, "", "%v", err)
					}
					if e.ack == nil {
						return 0, failAt(ev.Reply.Node.Pos, "", "expect %s: %q arrived without a request for an acknowledgement, so there is nothing to reply to", ce.Client, ev.Name)
					}
					e.ack([]any{reply})
				}
				return i, nil
			}
		}
		if gone || !c.waitChange(deadline) {
			return 0, ru.missing(c, ce, ev, want, after, events, gone, why, timeout)
		}
	}
}

// matcher returns how ev compares an event's arguments, and the value it expects (for diffs).
func (ru *run) matcher(ev *testfile.Event) (func([]any) bool, any, error) {
	switch {
	case ev.Data != nil:
		want, err := ru.resolve(ev.Data)
		return func(args []any) bool { return len(args) == 1 && equal(want, args[0]) }, want, err
	case ev.Args != nil:
		want, err := ru.resolve(ev.Args)
		return func(args []any) bool { return equal(want, args) }, want, err
	case ev.Contains != nil:
		want, err := ru.resolve(ev.Contains)
		return func(args []any) bool { return len(args) > 0 && contains(want, args[0]) }, want, err
	}
	return func([]any) bool { return true }, nil, nil
}

// missing explains an expected event that did not arrive: against the nearest event of that
// name when one came, with the list of what the client received otherwise.
func (ru *run) missing(c *client, ce *testfile.ClientExpect, ev *testfile.Event, want any, after int, events []*received, gone bool, why string, timeout time.Duration) *failure {
	why = strings.TrimSpace(why)
	ending := fmt.Sprintf("within %s", timeout)
	if gone {
		ending = "before it was disconnected (" + why + ")"
	}
	for i := after; i < len(events); i++ {
		e := events[i]
		if e.used || e.name != ev.Name {
			continue
		}
		got := any(e.args)
		label := "its arguments"
		if ev.Args == nil {
			if len(e.args) == 1 {
				got, label = e.args[0], "its data"
			} else {
				label = fmt.Sprintf("its %d arguments", len(e.args))
			}
		}
		verb := "differ"
		if ev.Contains != nil {
			verb = "do not contain what is expected"
		}
		return failAt(ev.Pos, diff(want, got), "expect %s: %q arrived, but %s %s", ce.Client, ev.Name, label, verb)
	}
	for i := 0; i < after && i < len(events); i++ {
		if e := events[i]; !e.used && e.name == ev.Name {
			return failAt(ev.Pos, ru.unused(c)+"\n"+orderHint, "expect %s: %q arrived, but before the event listed ahead of it", ce.Client, ev.Name)
		}
	}
	return failAt(ev.Pos, ru.unused(c), "expect %s: no %q event arrived %s", ce.Client, ev.Name, ending)
}

// orderHint explains the usual cause of events in another order than a test expects.
const orderHint = "(the server handles each client's events in order, but those of different clients in any order: " +
	"wait for the effect of one client's emit, with ack, expect, printed or rooms, before the next client's)"

// unused lists the events c received that no step expected yet.
func (ru *run) unused(c *client) string {
	evs := unusedEvents(c)
	if len(evs) == 0 {
		return c.name + " received nothing else"
	}
	lines := []string{c.name + " received:"}
	for _, e := range evs {
		lines = append(lines, "  "+e.name+" "+compact(e.args))
	}
	return strings.Join(lines, "\n")
}

func unusedEvents(c *client) []*received {
	events, _, _ := c.snapshot()
	var out []*received
	for _, e := range events {
		if !e.used {
			out = append(out, e)
		}
	}
	return out
}

// expectPrinted waits for the printed lines, in order, each the first not yet expected line
// that matches.
func (ru *run) expectPrinted(s *testfile.Step) *failure {
	deadline := time.Now().Add(ru.timeout(s))
	after := 0
	for _, v := range s.Printed {
		want, err := ru.resolve(v)
		if err != nil {
			return failAt(v.Node.Pos, "", "%v", err)
		}
		for {
			lines := ru.printed.all()
			i := ru.printed.find(after, func(line string) bool { return lineMatches(want, line) })
			if i >= 0 {
				after = i + 1
				break
			}
			if !ru.printed.wait(deadline) {
				return failAt(v.Node.Pos, printedSoFar(lines, ru.printed), "printed: no line %s within %s", describeLine(want), ru.timeout(s))
			}
		}
	}
	return nil
}

// lineMatches compares a printed line with a line of the test: a string is the whole line,
// anything else the line read as JSON.
func lineMatches(want any, line string) bool {
	if w, ok := want.(string); ok {
		return w == line
	}
	var got any
	return json.Unmarshal([]byte(line), &got) == nil && equal(want, got)
}

func describeLine(want any) string {
	if w, ok := want.(string); ok {
		return fmt.Sprintf("%q", w)
	}
	return "equal to " + compact(want)
}

func printedSoFar(lines []string, l *lines) string {
	var out []string
	for i, line := range lines {
		if !l.isUsed(i) {
			out = append(out, "  "+line)
		}
	}
	if len(out) == 0 {
		return "the config printed nothing else"
	}
	return "the config printed:\n" + strings.Join(out, "\n")
}
