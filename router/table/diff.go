package table

import (
	"fmt"
	"reflect"

	"github.com/ioroute/ioroute/actions"
)

// Diff says what a new table changes in the handlers of the one serving. (Server settings
// that need a restart are compared by the router with the settings it serves with:
// config.RestartChanged.)
type Diff struct {
	AddedEvents, ChangedEvents, RemovedEvents int
	AddedNamespaces, RemovedNamespaces        []string
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

// Compare compares two tables, handler by handler (lifecycle handlers count as events).
func Compare(old, cur *Table) Diff {
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
	return d
}

// handlers lists a namespace's handlers by event name, lifecycle ones and the catch-all
// included.
func handlers(ns *Namespace) map[string]*Handler {
	m := make(map[string]*Handler, len(ns.Events)+3)
	for e, h := range ns.Events {
		m[e] = h
	}
	if ns.CatchAll != nil {
		m[actions.CatchAll] = ns.CatchAll
	}
	if ns.Connect != nil {
		m["connect"] = ns.Connect
	}
	if ns.Disconnect != nil {
		m["disconnect"] = ns.Disconnect
	}
	return m
}
