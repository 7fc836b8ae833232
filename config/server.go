package config

import (
	"net/netip"
	"path/filepath"
	"reflect"
	"time"
)

// Server holds the server settings of a config, with defaults applied. The setting tag names
// the key of ServerFields that each field holds, so RestartChanged can compare a setting's
// values without a list of its own.
type Server struct {
	Listen         string         `setting:"listen"`
	Path           string         `setting:"path"`
	Origins        []string       `setting:"cors"`
	Credentials    bool           `setting:"cors"`
	Static         string         `setting:"static"` // absolute directory, or "" for none
	PingInterval   time.Duration  `setting:"ping_interval"`
	PingTimeout    time.Duration  `setting:"ping_timeout"`
	ConnectTimeout time.Duration  `setting:"connect_timeout"`
	MaxPayload     int            `setting:"max_payload"`
	AllowEIO3      bool           `setting:"allow_eio3"`
	ServeClient    bool           `setting:"serve_client"`
	Metrics        *Metrics       `setting:"metrics"` // nil: no metrics listener
	TrustProxy     []netip.Prefix `setting:"trust_proxy"`
	ShutdownDrain  time.Duration  `setting:"shutdown_drain"`
	Limits         Limits         `setting:"limits"`
	Adapter        Adapter        `setting:"adapter"`
	API            *API           `setting:"api"`      // nil: no API
	Recovery       *Recovery      `setting:"recovery"` // nil: no connection state recovery
	Admin          *Admin         `setting:"admin"`    // nil: no admin namespace
	// Pos locates each setting that was written in the file, by field name.
	Pos map[string]Pos
}

// Recovery is connection state recovery (server.recovery).
type Recovery struct {
	// MaxDisconnection is how long a session and the packets sent are kept.
	MaxDisconnection time.Duration
	// SkipConnect skips the reject steps of a recovered socket's connect handler.
	SkipConnect bool
}

// recoveryFields declares the keys of server.recovery.
var recoveryFields = []Field{
	{Name: "max_disconnection", Type: Duration, Default: "2m", Doc: "How long a session, and the packets sent meanwhile, are kept after an unexpected disconnection; a client back within it is recovered."},
	{Name: "skip_connect", Type: Bool, Default: true, Doc: "A recovered socket's connect handler skips its `reject` steps (Node's skipMiddlewares); its other steps run, with `socket.recovered` true."},
}

// Limits bound what one client can cost the server.
type Limits struct {
	MaxConnections  int
	EventsPerSecond int
	EventBurst      int
	FloodLimit      int
	RoomsPerSocket  int
	ShutdownTimeout time.Duration
	// ExpressionSteps is the budget of the expressions of one handler run (tmpl.Budget).
	ExpressionSteps int
	// LoopItems bounds the items one for_each step runs for.
	LoopItems int
	// SocketDataBytes bounds the JSON size of one socket's data (socket.data).
	SocketDataBytes int
	// CallsInFlight bounds the call steps waiting for their backends at once; CallBodyBytes
	// bounds one backend reply.
	CallsInFlight int
	CallBodyBytes int
	// PendingEvents and PendingBytes bound one connection's events that arrived and wait
	// for their handlers.
	PendingEvents int
	PendingBytes  int
	// RecoveryBytes caps the packets kept for connection state recovery.
	RecoveryBytes int
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
	{Name: "pending_events", Type: Int, Default: 5000, Doc: "Events of one connection that may wait for their handlers (arrived, not yet handled); a client that lets more pile up, say behind a handler that waits, is disconnected. " +
		"Rates are counted when events arrive, so this bounds what a fast client can queue before its rate limit drops it."},
	{Name: "pending_bytes", Type: Int, Default: 16 << 20, Doc: "Bytes of one connection's events that may wait for their handlers; beyond them the client is disconnected, as with pending_events."},
	{Name: "expression_steps", Type: Int, Default: 100000, Doc: "Steps the expressions of one handler run may take; past them the run stops with an error. " +
		"A step is one call of a predicate (map, filter, reduce…), one item of a list or object an operation builds or reads, or 64 bytes of text. " +
		"The client's data decides how many an expression takes (`reduce(1..data, …)`). 100000 is 3 to 15 ms of work, " +
		"many times what a handler over ordinary events uses (mapping or filtering 1000 objects takes 3000 to 7000), and keeps one event from holding a core for seconds."},
	{Name: "loop_items", Type: Int, Default: 10000, Doc: "Items one for_each step may run for; a list with more fails the step. " +
		"Each item runs the step's action (an emission, say), which the expression budget does not count."},
	{Name: "socket_data_bytes", Type: Int, Default: 16 << 10, Doc: "Size of one socket's data (socket.data, written by set), as JSON; a set that would pass it fails and leaves the data as it was. " +
		"The data is held for every connected socket and sent in answers to sockets() and to other nodes' fetchSockets."},
	{Name: "calls_in_flight", Type: Int, Default: 256, Doc: "call steps that may wait for their backends at once, on this node; a call past it fails at once (its on_error runs) " +
		"instead of queueing, so a slow backend cannot pile up work without bound."},
	{Name: "recovery_bytes", Type: Int, Default: 64 << 20, Doc: "Bytes of packets kept for connection state recovery (server.recovery), all namespaces together; past them the oldest are dropped, with a log line, " +
		"and a client that missed a dropped packet reconnects as a new socket."},
	{Name: "call_body_bytes", Type: Int, Default: 1 << 20, Doc: "Size of one backend reply to a call step; a larger reply fails the step. Replies are held in memory while the handler runs."},
}

// corsFields declares the keys of server.cors.
var corsFields = []Field{
	{Name: "origins", Type: StringList, Doc: "Allowed origins, such as \"http://localhost:8080\"; \"*\" allows any."},
	{Name: "credentials", Type: Bool, Default: false, Doc: "Allow cookies and credentials; refused together with \"*\"."},
}

// ServerFields declares the keys of the server section. The engine, the listener and the
// adapter are built once at start, so the settings they read are marked Restart. The
// settings for operating ioroute (metrics, health, the client bundle) follow, from opsFields.
var ServerFields = append([]Field{
	{Name: "listen", Type: String, Default: "127.0.0.1:3001", Restart: true, Doc: "Address to listen on, host:port."},
	{Name: "path", Type: String, Default: "/socket.io", Restart: true, Doc: "HTTP path of the Socket.IO endpoint."},
	{Name: "cors", Type: Object, Fields: corsFields, Restart: true, Doc: "Cross-origin access. Without it only pages of the same origin may connect.",
		Example: "cors: { origins: [\"*\"] }"},
	{Name: "static", Type: String, Doc: "Folder served at /, relative to the config file."},
	{Name: "ping_interval", Type: Duration, Default: "25s", Restart: true, Doc: "How often the server pings each client."},
	{Name: "ping_timeout", Type: Duration, Default: "20s", Restart: true, Doc: "How long to wait for a pong before closing."},
	{Name: "connect_timeout", Type: Duration, Default: "45s", Restart: true, Doc: "Close a transport that never connects to a namespace within this time."},
	{Name: "max_payload", Type: Int, Default: 1000000, Restart: true, Doc: "Largest message accepted from a client, in bytes."},
	{Name: "allow_eio3", Type: Bool, Default: true, Restart: true, Doc: "Accept socket.io-client 2.x (Engine.IO 3)."},
	{Name: "limits", Type: Object, Fields: LimitFields, Default: map[string]any{}, Doc: "What one client can cost the server; each limit has a safe default."},
	{Name: "adapter", Type: Object, Fields: AdapterFields, Restart: true, Doc: "How several ioroute nodes share rooms and broadcasts. Without it, one node in memory."},
	apiField,
	{Name: "recovery", Type: Object, Fields: recoveryFields, Restart: true, Doc: "Connection state recovery, as Node socket.io 4.6+: a client that drops and reconnects within max_disconnection gets back its socket id, rooms, socket.data " +
		"and every event it missed, in order. Kept in memory on this node (a restart loses it); with adapter.redis_streams, kept in Redis (the client recovers on any server); refused with adapter.redis.",
		Example: "recovery: { max_disconnection: 2m, skip_connect: true }"},
	adminField,
}, opsFields...)

// DefaultServer returns the settings used when the config says nothing: the Default of each
// field of ServerFields, decoded as if written.
func DefaultServer() Server {
	var errs Errors
	s := decodeServer(nil, "", &errs)
	if err := errs.Err(); err != nil {
		panic("config: a declared default does not decode: " + err.Error())
	}
	return s
}

// RestartChanged names the settings marked Restart in ServerFields whose values differ between
// a and b, as "server.<name>" in the order of ServerFields. A setting's value is every field of
// Server tagged with its name, compared with reflect.DeepEqual: nil and empty cors origins
// differ, and a Redis adapter is compared by value.
func RestartChanged(a, b Server) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for _, f := range ServerFields {
		if !f.Restart {
			continue
		}
		for _, i := range settingIndex[f.Name] {
			if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
				out = append(out, "server."+f.Name)
				break
			}
		}
	}
	return out
}

// settingIndex lists, by setting name, the indexes of the Server fields whose setting tag
// names it.
var settingIndex = func() map[string][]int {
	m := map[string][]int{}
	t := reflect.TypeFor[Server]()
	for i := range t.NumField() {
		if name, ok := t.Field(i).Tag.Lookup("setting"); ok {
			m[name] = append(m[name], i)
		}
	}
	return m
}()

// decodeServer reads the server section (nil when the config has none), each key left out
// taking its Default; dir is the config file's folder.
func decodeServer(n *Node, dir string, errs *Errors) Server {
	s := Server{Pos: map[string]Pos{}}
	if n != nil && !CheckFields(n, ServerFields, errs) {
		return DefaultServer()
	}
	if n != nil {
		for _, e := range n.Entries {
			s.Pos[e.Key] = e.Value.Pos
		}
	}
	for _, e := range withDefaults(n, ServerFields) {
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
			decodeCORS(v, &s, errs)
		case "static":
			s.Static = v.Text
			if !filepath.IsAbs(s.Static) {
				s.Static = filepath.Join(dir, s.Static)
			}
			s.Static = staticFolder(s.Static, v, errs)
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
			s.Limits = decodeLimits(v, errs)
		case "api":
			decodeAPI(v, n, &s, errs)
		case "adapter":
			s.Adapter = decodeAdapter(v, errs)
		case "recovery":
			s.Recovery = decodeRecovery(v, errs)
		case "admin":
			decodeAdmin(v, &s, errs)
		default:
			decodeOps(e.Key, v, &s, errs)
		}
	}
	if rn := n.Get("recovery"); rn != nil && s.Adapter.Redis != nil {
		errs.Add(rn.Pos, rn.Path, "recovery needs the packets a cluster sent, which Redis pub/sub (adapter.redis) does not keep: "+
			"use adapter.redis_streams instead (wire-compatible with Node's @socket.io/redis-streams-adapter), or remove recovery")
	}
	return s
}

// decodeRecovery reads server.recovery.
func decodeRecovery(n *Node, errs *Errors) *Recovery {
	r := &Recovery{}
	for _, e := range withDefaults(n, recoveryFields) {
		v := e.Value
		switch e.Key {
		case "max_disconnection":
			r.MaxDisconnection = v.Duration()
			if r.MaxDisconnection <= 0 {
				errs.Add(v.Pos, v.Path, "must be longer than 0")
			}
		case "skip_connect":
			r.SkipConnect = v.Value.(bool)
		}
	}
	return r
}

// decodeCORS reads server.cors into s.
func decodeCORS(n *Node, s *Server, errs *Errors) {
	for _, e := range withDefaults(n, corsFields) {
		v := e.Value
		switch e.Key {
		case "origins":
			s.Origins = []string{}
			for _, it := range v.Items {
				s.Origins = append(s.Origins, it.Text)
			}
		case "credentials":
			s.Credentials = v.Value.(bool)
		}
	}
	if s.Credentials {
		for _, o := range s.Origins {
			if o == "*" {
				errs.Add(n.Pos, n.Path, "origins \"*\" with credentials: true would let any site act as the user; list the allowed origins")
			}
		}
	}
}

// decodeLimits reads server.limits, each key left out taking its Default.
func decodeLimits(n *Node, errs *Errors) Limits {
	var l Limits
	for _, e := range withDefaults(n, LimitFields) {
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
		case "expression_steps":
			l.ExpressionSteps = i
		case "pending_events":
			l.PendingEvents = i
		case "pending_bytes":
			l.PendingBytes = i
		case "loop_items":
			l.LoopItems = i
		case "calls_in_flight":
			l.CallsInFlight = i
		case "call_body_bytes":
			l.CallBodyBytes = i
		case "socket_data_bytes":
			l.SocketDataBytes = i
		case "recovery_bytes":
			l.RecoveryBytes = i
		}
	}
	return l
}
