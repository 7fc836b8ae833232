package router

import (
	"fmt"
	"reflect"
	"strings"
)

// Diff says what a new table changes compared to the one serving.
type Diff struct {
	AddedEvents, ChangedEvents, RemovedEvents int
	AddedNamespaces, RemovedNamespaces        []string
	// Restart lists server settings that changed but take effect only after a restart.
	Restart []string
}

// String summarises the change, such as "+1 event, ~1 event, -0 events, +0 namespaces, -0 namespaces".
func (d Diff) String() string {
	return fmt.Sprintf("+%d %s, ~%d %s, -%d %s, +%d %s, -%d %s",
		d.AddedEvents, plural("event", d.AddedEvents),
		d.ChangedEvents, plural("event", d.ChangedEvents),
		d.RemovedEvents, plural("event", d.RemovedEvents),
		len(d.AddedNamespaces), plural("namespace", len(d.AddedNamespaces)),
		len(d.RemovedNamespaces), plural("namespace", len(d.RemovedNamespaces)))
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// diff compares two tables, handler by handler (lifecycle handlers count as events).
func diff(old, cur *Table) Diff {
	var d Diff
	for name, ns := range cur.Namespaces {
		before, ok := old.Namespaces[name]
		if !ok {
			d.AddedNamespaces = append(d.AddedNamespaces, name)
			d.AddedEvents += len(handlers(ns))
			continue
		}
		oldHandlers, curHandlers := handlers(before), handlers(ns)
		for event, h := range curHandlers {
			switch prev, had := oldHandlers[event]; {
			case !had:
				d.AddedEvents++
			case !reflect.DeepEqual(prev.source, h.source):
				d.ChangedEvents++
			}
		}
		for event := range oldHandlers {
			if _, kept := curHandlers[event]; !kept {
				d.RemovedEvents++
			}
		}
	}
	for name, ns := range old.Namespaces {
		if _, ok := cur.Namespaces[name]; !ok {
			d.RemovedNamespaces = append(d.RemovedNamespaces, name)
			d.RemovedEvents += len(handlers(ns))
		}
	}
	d.Restart = restartNeeded(old, cur)
	return d
}

// handlers lists a namespace's handlers by event name, lifecycle ones included.
func handlers(ns *Namespace) map[string]*Handler {
	m := make(map[string]*Handler, len(ns.Events)+2)
	for e, h := range ns.Events {
		m[e] = h
	}
	if ns.Connect != nil {
		m["connect"] = ns.Connect
	}
	if ns.Disconnect != nil {
		m["disconnect"] = ns.Disconnect
	}
	return m
}

// restartNeeded names the server settings that differ; the engine and the listener are built
// once at start, so only the static folder follows a reload.
func restartNeeded(old, cur *Table) []string {
	a, b := old.File.Server, cur.File.Server
	var out []string
	check := func(name string, same bool) {
		if !same {
			out = append(out, "server."+name)
		}
	}
	check("listen", a.Listen == b.Listen)
	check("path", a.Path == b.Path)
	check("cors", strings.Join(a.Origins, "\n") == strings.Join(b.Origins, "\n") && a.Credentials == b.Credentials && (a.Origins == nil) == (b.Origins == nil))
	check("ping_interval", a.PingInterval == b.PingInterval)
	check("ping_timeout", a.PingTimeout == b.PingTimeout)
	check("connect_timeout", a.ConnectTimeout == b.ConnectTimeout)
	check("max_payload", a.MaxPayload == b.MaxPayload)
	check("allow_eio3", a.AllowEIO3 == b.AllowEIO3)
	check("adapter", (a.Adapter.Redis == nil) == (b.Adapter.Redis == nil) &&
		(a.Adapter.Redis == nil || *a.Adapter.Redis == *b.Adapter.Redis))
	return out
}
