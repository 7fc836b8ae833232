package config

// EventLimit is the rate of one event set under server.limits.events: a token bucket of its
// own on each socket, used for that event instead of the socket's shared one.
type EventLimit struct {
	PerSecond int
	Burst     int
	// Pos and Path locate the event's entry, for errors found later (such as an event that
	// no namespace handles).
	Pos  Pos
	Path string
}

// EventLimitFields declares the keys of one entry of server.limits.events.
var EventLimitFields = []Field{
	{Name: "per_second", Type: Int, Required: true, Doc: "Times one socket may send this event per second, on average; more are dropped and logged once per burst."},
	{Name: "burst", Type: Int, Doc: "Times one socket may send it at once above that rate; defaults to per_second."},
}

// eventLimitsField is server.limits.events.
var eventLimitsField = Field{Name: "events", Type: Map, Fields: EventLimitFields,
	Doc: "Rates for single events, by event name, such as `message: { per_second: 5, burst: 10 }`. " +
		"A listed event has a bucket of its own on each socket, in every namespace that handles it, " +
		"instead of counting against events_per_second; flood_limit applies to it as well."}

// decodeEventLimits reads server.limits.events; n has passed CheckType.
func decodeEventLimits(n *Node, errs *Errors) map[string]EventLimit {
	out := map[string]EventLimit{}
	for _, e := range n.Entries {
		l := EventLimit{Pos: e.KeyPos, Path: e.Value.Path}
		for _, f := range e.Value.Entries {
			i, _ := f.Value.Value.(int)
			if i == 0 {
				errs.Add(f.Value.Pos, f.Value.Path, "must be at least 1")
				continue
			}
			switch f.Key {
			case "per_second":
				l.PerSecond = i
			case "burst":
				l.Burst = i
			}
		}
		if l.Burst == 0 {
			l.Burst = l.PerSecond
		}
		out[e.Key] = l
	}
	return out
}
