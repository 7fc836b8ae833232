package config

import (
	"path/filepath"
	"time"
)

// Server holds the server settings of a config, with defaults applied.
type Server struct {
	Listen         string
	Path           string
	Origins        []string
	Credentials    bool
	Static         string // absolute directory, or "" for none
	PingInterval   time.Duration
	PingTimeout    time.Duration
	ConnectTimeout time.Duration
	MaxPayload     int
	AllowEIO3      bool
	Limits         Limits
	Adapter        Adapter
	// Pos locates each setting that was written in the file, by field name.
	Pos map[string]Pos
}

// Limits bound what one client can cost the server.
type Limits struct {
	MaxConnections  int
	EventsPerSecond int
	EventBurst      int
	FloodLimit      int
	RoomsPerSocket  int
	ShutdownTimeout time.Duration
	// Events holds the rates set for single events, by event name.
	Events map[string]EventLimit
}

// LimitFields declares the keys of server.limits.
var LimitFields = []Field{
	{Name: "max_connections", Type: Int, Default: 10000, Doc: "Connections the server holds at most; more are refused (HTTP 503)."},
	{Name: "events_per_second", Type: Int, Default: 1000, Doc: "Events one socket may send per second, on average; more are dropped and logged once per burst."},
	{Name: "event_burst", Type: Int, Default: 2000, Doc: "Events one socket may send at once above that rate."},
	{Name: "flood_limit", Type: Int, Default: 10000, Doc: "Events dropped from one socket, without it calming down, before it is disconnected."},
	eventLimitsField,
	{Name: "rooms_per_socket", Type: Int, Default: 100, Doc: "Rooms one socket may be in (its own id room not counted); join_room beyond it fails."},
	{Name: "shutdown_timeout", Type: Duration, Default: "10s", Doc: "How long a shutdown waits for disconnect handlers and queued messages before exiting."},
}

// ServerFields declares the keys of the server section.
var ServerFields = []Field{
	{Name: "listen", Type: String, Default: "127.0.0.1:3001", Doc: "Address to listen on, host:port."},
	{Name: "path", Type: String, Default: "/socket.io", Doc: "HTTP path of the Socket.IO endpoint."},
	{Name: "cors", Type: Object, Doc: "Cross-origin access. Without it only pages of the same origin may connect.", Fields: []Field{
		{Name: "origins", Type: StringList, Doc: "Allowed origins, such as \"http://localhost:8080\"; \"*\" allows any."},
		{Name: "credentials", Type: Bool, Default: false, Doc: "Allow cookies and credentials; refused together with \"*\"."},
	}, Example: "cors: { origins: [\"*\"] }"},
	{Name: "static", Type: String, Doc: "Folder served at /, relative to the config file."},
	{Name: "ping_interval", Type: Duration, Default: "25s", Doc: "How often the server pings each client."},
	{Name: "ping_timeout", Type: Duration, Default: "20s", Doc: "How long to wait for a pong before closing."},
	{Name: "connect_timeout", Type: Duration, Default: "45s", Doc: "Close a transport that never connects to a namespace within this time."},
	{Name: "max_payload", Type: Int, Default: 1000000, Doc: "Largest message accepted from a client, in bytes."},
	{Name: "allow_eio3", Type: Bool, Default: true, Doc: "Accept socket.io-client 2.x (Engine.IO 3)."},
	{Name: "limits", Type: Object, Fields: LimitFields, Doc: "What one client can cost the server; each limit has a safe default."},
	{Name: "adapter", Type: Object, Fields: AdapterFields, Doc: "How several ioroute nodes share rooms and broadcasts. Without it, one node in memory."},
}

// DefaultServer returns the settings used when the config says nothing.
func DefaultServer() Server {
	return Server{
		Listen:         "127.0.0.1:3001",
		Path:           "/socket.io",
		PingInterval:   25 * time.Second,
		PingTimeout:    20 * time.Second,
		ConnectTimeout: 45 * time.Second,
		MaxPayload:     1000000,
		AllowEIO3:      true,
		Limits: Limits{MaxConnections: 10000, EventsPerSecond: 1000, EventBurst: 2000, FloodLimit: 10000,
			RoomsPerSocket: 100, ShutdownTimeout: 10 * time.Second},
		Pos: map[string]Pos{},
	}
}

// decodeServer reads the server section; dir is the config file's folder.
func decodeServer(n *Node, dir string, errs *Errors) Server {
	s := DefaultServer()
	if n == nil {
		return s
	}
	if !CheckFields(n, ServerFields, errs) {
		return s
	}
	for _, e := range n.Entries {
		s.Pos[e.Key] = e.Value.Pos
		v := e.Value
		switch e.Key {
		case "listen":
			s.Listen = v.Text
		case "path":
			s.Path = v.Text
			if len(s.Path) == 0 || s.Path[0] != '/' {
				errs.Add(v.Pos, v.Path, "must start with \"/\"")
			}
		case "cors":
			if o := v.Get("origins"); o != nil {
				s.Origins = []string{}
				for _, it := range o.Items {
					s.Origins = append(s.Origins, it.Text)
				}
			}
			if c := v.Get("credentials"); c != nil {
				s.Credentials = c.Value.(bool)
			}
			if s.Credentials {
				for _, o := range s.Origins {
					if o == "*" {
						errs.Add(v.Pos, v.Path, "origins \"*\" with credentials: true would let any site act as the user; list the allowed origins")
					}
				}
			}
		case "static":
			s.Static = v.Text
			if !filepath.IsAbs(s.Static) {
				s.Static = filepath.Join(dir, s.Static)
			}
		case "ping_interval":
			s.PingInterval = v.Duration()
		case "ping_timeout":
			s.PingTimeout = v.Duration()
		case "connect_timeout":
			s.ConnectTimeout = v.Duration()
		case "max_payload":
			s.MaxPayload = v.Value.(int)
		case "allow_eio3":
			s.AllowEIO3 = v.Value.(bool)
		case "limits":
			decodeLimits(v, &s.Limits, errs)
		case "adapter":
			s.Adapter = decodeAdapter(v, errs)
		}
	}
	return s
}

// decodeLimits applies the limits written in n over the defaults in l.
func decodeLimits(n *Node, l *Limits, errs *Errors) {
	for _, e := range n.Entries {
		v := e.Value
		switch e.Key {
		case "shutdown_timeout":
			l.ShutdownTimeout = v.Duration()
			continue
		case "events":
			l.Events = decodeEventLimits(v, errs)
			continue
		}
		i, _ := v.Value.(int)
		if i == 0 {
			errs.Add(v.Pos, v.Path, "must be at least 1")
			continue
		}
		switch e.Key {
		case "max_connections":
			l.MaxConnections = i
		case "events_per_second":
			l.EventsPerSecond = i
		case "event_burst":
			l.EventBurst = i
		case "flood_limit":
			l.FloodLimit = i
		case "rooms_per_socket":
			l.RoomsPerSocket = i
		}
	}
}
