package table

import (
	"sort"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
)

// checkEventLimits reports rates in server.limits.events that cannot apply: to a lifecycle or
// reserved name, which clients do not send as events, to "*", which names a handler and no
// event, or to an event no namespace handles (most likely a misspelt one). A namespace with a
// catch-all handles every event.
func checkEventLimits(t *Table, errs *config.Errors) {
	names := make([]string, 0, len(t.File.Server.Limits.Events))
	for name := range t.File.Server.Limits.Events {
		names = append(names, name)
	}
	sort.Strings(names) // errors in a stable order
	handled := map[string]bool{}
	catchAll := false
	for _, ns := range t.Namespaces {
		for e := range ns.Events {
			handled[e] = true
		}
		catchAll = catchAll || ns.CatchAll != nil
	}
	known := make([]string, 0, len(handled))
	for e := range handled {
		known = append(known, e)
	}
	for _, name := range names {
		l := t.File.Server.Limits.Events[name]
		switch {
		case actions.IsReserved(name):
			errs.Add(l.Pos, l.Path, "%q is not an event clients send, so it cannot have a rate", name)
		case name == actions.CatchAll:
			errs.Add(l.Pos, l.Path, "%q names the catch-all handler, not an event clients send, so it cannot have a rate; "+
				"name the events, or let events_per_second bound them", name)
		case !handled[name] && !catchAll:
			errs.Add(l.Pos, l.Path, "no namespace handles %q%s", name, config.Suggest(name, known))
		}
	}
}
