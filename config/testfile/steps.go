package testfile

import (
	"fmt"
	"strings"

	"github.com/ioroute/ioroute/config"
)

// stepParser reads a test's steps, following which clients are connected so that a step using
// a client that cannot be connected there is reported before anything runs.
type stepParser struct {
	*parser
	test      *Test
	connected map[string]bool
}

func (sp *stepParser) step(n *config.Node) *Step {
	if n.Kind != config.MapNode {
		sp.errs.Add(n.Pos, n.Path, "a step is a mapping with one step kind, such as `- connect: ann`; got %s", n.Describe())
		return nil
	}
	s := &Step{Pos: n.Pos, Path: n.Path}
	var body *config.Node
	for _, e := range n.Entries {
		if e.Key == "timeout" {
			before := len(sp.errs)
			config.CheckType(e.Value, StepFields[0], &sp.errs)
			if len(sp.errs) == before {
				s.Timeout = e.Value.Duration()
			}
			continue
		}
		if _, ok := Kind(e.Key); !ok {
			sp.errs.Add(e.KeyPos, config.ChildPath(n.Path, e.Key), "unknown step kind %q%s; a step is one of %s",
				e.Key, didYouMean(e.Key, KindNames()), strings.Join(KindNames(), ", "))
			return nil
		}
		if s.Kind != "" {
			sp.errs.Add(e.KeyPos, n.Path, "a step has exactly one step kind; found %q and %q (make them two steps)", s.Kind, e.Key)
			return nil
		}
		s.Kind, body = e.Key, e.Value
	}
	if s.Kind == "" {
		sp.errs.Add(n.Pos, n.Path, "a step needs a step kind besides `timeout` (%s)", strings.Join(KindNames(), ", "))
		return nil
	}
	before := len(sp.errs)
	switch s.Kind {
	case "connect":
		s.Clients = sp.clientList(body)
		for _, c := range s.Clients {
			if sp.connected[c] {
				sp.errs.Add(body.Pos, body.Path, "%s is already connected here", c)
			}
			sp.connected[c] = true
		}
	case "disconnect":
		s.Clients = sp.clientList(body)
		for _, c := range s.Clients {
			sp.needConnected(body, c)
			sp.connected[c] = false
		}
	case "refused":
		sp.refused(s, body)
	case "emit":
		sp.emit(s, body)
	case "expect":
		sp.expect(s, body)
	case "printed":
		sp.printed(s, body)
	case "called":
		sp.called(s, body)
	case "rooms":
		sp.rooms(s, body)
	}
	if len(sp.errs) > before {
		return nil
	}
	return s
}

// didYouMean is config.Suggest's hint when it found a close name, and nothing otherwise (the
// caller lists the names itself).
func didYouMean(got string, known []string) string {
	if h := config.Suggest(got, known); strings.HasPrefix(h, "; did you mean") {
		return h
	}
	return ""
}

// clientName checks that n names a client of the test and returns it.
func (sp *stepParser) clientName(n *config.Node) string {
	name, ok := n.Value.(string)
	if !ok || n.Kind != config.ScalarNode {
		sp.errs.Add(n.Pos, n.Path, "expected a client's name, got %s", n.Describe())
		return ""
	}
	return sp.known(n.Pos, n.Path, name)
}

// known checks that name is a client of the test.
func (sp *stepParser) known(pos config.Pos, path, name string) string {
	if _, ok := sp.test.Clients[name]; ok {
		return name
	}
	if len(sp.test.Order) == 0 {
		sp.errs.Add(pos, path, "unknown client %q: declare it under the test's clients (`clients: { %s: /chat }`)", name, name)
	} else {
		sp.errs.Add(pos, path, "unknown client %q%s; this test has %s", name, didYouMean(name, sp.test.Order), strings.Join(sp.test.Order, ", "))
	}
	return ""
}

// clientList reads one client name or a list of them.
func (sp *stepParser) clientList(n *config.Node) []string {
	var out []string
	items := []*config.Node{n}
	if n.Kind == config.ListNode {
		items = n.Items
	}
	for _, it := range items {
		if c := sp.clientName(it); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func (sp *stepParser) needConnected(n *config.Node, client string) {
	if client != "" && !sp.connected[client] {
		sp.errs.Add(n.Pos, n.Path, "%s is not connected here; connect it first with `- connect: %s`", client, client)
	}
}

func (sp *stepParser) value(n *config.Node) *Value {
	if n == nil {
		return nil
	}
	checkValue(n, sp.test.Clients, sp.test.Env, &sp.errs)
	return &Value{n}
}

func (sp *stepParser) refused(s *Step, n *config.Node) {
	if n.Kind == config.ScalarNode {
		s.Client = sp.clientName(n) // any refusal will do
	} else {
		fs := sp.fields(n, RefusedFields)
		if v := fs["client"]; v != nil {
			s.Client = sp.clientName(v)
		}
		if v := fs["message"]; v != nil {
			msg := v.Text
			s.Message = &msg
		}
		s.Data = sp.value(fs["data"])
	}
	if s.Client != "" && sp.connected[s.Client] {
		sp.errs.Add(n.Pos, n.Path, "%s is connected here; a refusal is for a client that is not", s.Client)
	}
}

func (sp *stepParser) emit(s *Step, n *config.Node) {
	fs := sp.fields(n, EmitFields)
	if v := fs["client"]; v != nil {
		s.Client = sp.clientName(v)
		sp.needConnected(v, s.Client)
	}
	if v := fs["event"]; v != nil {
		s.Event = v.Text
	}
	sp.oneOf(n, fs, "data", "args")
	sp.oneOf(n, fs, "ack", "ack_args", "ack_contains")
	s.Data, s.Args = sp.value(fs["data"]), sp.list(fs["args"])
	s.Ack, s.AckArgs, s.AckContains = sp.value(fs["ack"]), sp.list(fs["ack_args"]), sp.value(fs["ack_contains"])
}

// oneOf reports a mapping that has more than one of keys.
func (sp *stepParser) oneOf(n *config.Node, fs map[string]*config.Node, keys ...string) {
	var have []string
	for _, k := range keys {
		if fs[k] != nil {
			have = append(have, k)
		}
	}
	if len(have) > 1 {
		sp.errs.Add(n.Pos, n.Path, "write one of %s, not %s", strings.Join(keys, ", "), strings.Join(have, " and "))
	}
}

func (sp *stepParser) list(n *config.Node) *Value {
	if n != nil && n.Kind != config.ListNode {
		sp.errs.Add(n.Pos, n.Path, "expected a list, got %s", n.Describe())
		return nil
	}
	return sp.value(n)
}

func (sp *stepParser) expect(s *Step, n *config.Node) {
	if n.Kind != config.MapNode {
		sp.errs.Add(n.Pos, n.Path, "expect takes what each client receives, by name (`expect: { bob: { event: message } }`); got %s", n.Describe())
		return
	}
	for _, e := range n.Entries {
		ce := &ClientExpect{Client: sp.known(e.KeyPos, e.Value.Path, e.Key), Pos: e.KeyPos}
		if ce.Client == "" {
			continue
		}
		v := e.Value
		switch v.Kind {
		case config.ScalarNode:
			switch v.Value {
			case "nothing":
				ce.Nothing = true
			case "disconnected":
				ce.Disconnected = true
			default:
				sp.errs.Add(v.Pos, v.Path, "expected an event ({ event: name, data: ... }), a list of events, `nothing` or `disconnected`; got %q", v.Text)
			}
		case config.MapNode:
			ce.Events = append(ce.Events, sp.event(v))
		case config.ListNode:
			for _, it := range v.Items {
				ce.Events = append(ce.Events, sp.event(it))
			}
		}
		sp.needConnected(v, ce.Client)
		if ce.Disconnected {
			sp.connected[ce.Client] = false
		}
		s.Expect = append(s.Expect, ce)
	}
}

func (sp *stepParser) event(n *config.Node) *Event {
	fs := sp.fields(n, EventFields)
	ev := &Event{Pos: n.Pos}
	if v := fs["event"]; v != nil {
		ev.Name = v.Text
	}
	sp.oneOf(n, fs, "data", "args", "contains")
	ev.Data, ev.Args, ev.Contains, ev.Reply = sp.value(fs["data"]), sp.list(fs["args"]), sp.value(fs["contains"]), sp.value(fs["reply"])
	return ev
}

func (sp *stepParser) printed(s *Step, n *config.Node) {
	items := []*config.Node{n}
	if n.Kind == config.ListNode {
		items = n.Items
	}
	for _, it := range items {
		if it.Kind == config.ScalarNode && it.Value == nil {
			sp.errs.Add(it.Pos, it.Path, "expected a line (a string) or a mapping printed as JSON, got null")
			continue
		}
		s.Printed = append(s.Printed, sp.value(it))
	}
}

func (sp *stepParser) rooms(s *Step, n *config.Node) {
	if n.Kind != config.MapNode {
		sp.errs.Add(n.Pos, n.Path, "rooms takes each client's rooms, by name (`rooms: { ann: [lobby] }`); got %s", n.Describe())
		return
	}
	for _, e := range n.Entries {
		cr := &ClientRooms{Client: sp.known(e.KeyPos, e.Value.Path, e.Key), Pos: e.KeyPos}
		if cr.Client == "" {
			continue
		}
		sp.needConnected(e.Value, cr.Client)
		v := e.Value
		switch {
		case v.Kind == config.ListNode:
			for _, it := range v.Items {
				if it.Kind != config.ScalarNode || it.Value == nil {
					sp.errs.Add(it.Pos, it.Path, "expected a room name, got %s", it.Describe())
				}
				cr.Rooms = append(cr.Rooms, sp.value(it))
			}
		case v.Kind == config.ScalarNode && v.Value != nil:
			cr.Rooms = append(cr.Rooms, sp.value(v))
		case v.Kind == config.ScalarNode:
		default:
			sp.errs.Add(v.Pos, v.Path, "expected a list of room names, got %s", v.Describe())
		}
		s.Rooms = append(s.Rooms, cr)
	}
}

// String names the step for messages: its kind and the clients it concerns.
func (s *Step) String() string {
	switch s.Kind {
	case "connect", "disconnect":
		return fmt.Sprintf("%s %s", s.Kind, strings.Join(s.Clients, ", "))
	case "emit":
		return fmt.Sprintf("emit %q by %s", s.Event, s.Client)
	case "refused":
		return "refused " + s.Client
	}
	return s.Kind
}
