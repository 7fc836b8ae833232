package router

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	eio "github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/adminui"
	"github.com/ioroute/ioroute/internal/engine"
)

// The server side of the official Socket.IO Admin UI (@socket.io/admin-ui 0.5), as the
// package's Node instrument() behaves: an admin namespace behind its own authentication,
// which tells the UI the server's sockets, rooms and events and acts on the UI's requests.
//
// The admin namespace is not the config's: the guard does not run on it, its sockets are
// never handed to the config's handlers, and sockets() cannot name it (the table does not
// declare it). What Node keeps in socket.data._admin (the client id and the transport) is read
// from the engine's socket when a socket is described, never stored in socket.data.
//
// Reporting costs nothing while no admin is connected: every hook first reads one atomic
// flag (watching), set while an admin socket is connected to this node or, in a cluster, to
// any node (checked with each server_stats tick).

// adminFeatures are the features the UI may use, as instrument() lists them.
var adminFeatures = []string{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"}

const (
	// adminStatsEvery is how often server_stats is sent.
	adminStatsEvery = 2 * time.Second
	// adminSessionTTL is how long a session id the UI was given stays valid.
	adminSessionTTL = 24 * time.Hour
	// adminFailuresPerMinute is how many failed logins one address may make a minute.
	adminFailuresPerMinute = 5
)

// adminRouters counts the routers with a cluster and server.admin made in this process.
var adminRouters atomic.Int64

// admin is the admin namespace of one router.
type admin struct {
	r        *Router
	cfg      config.Admin
	ns       sio.Namespace
	dev      bool
	features []string
	serverID string
	hostname string
	started  time.Time

	// local counts the admin sockets connected to this node; remote is set while another
	// node has some (cluster only).
	local    atomic.Int64
	remote   atomic.Bool
	watching atomic.Bool
	watchMu  sync.Mutex
	// outgoing holds the config's sockets that have the event_sent listener (watchOutgoing).
	outgoing sync.Map // *sio.Socket -> struct{}

	mu       sync.Mutex
	sessions map[string]time.Time   // session id -> expiry
	failures map[string][]time.Time // address -> failed logins in the last minute
	pending  sync.Map               // *sio.Socket -> session id to send once connected

	events eventBuffer
	stop   chan struct{}
	done   chan struct{}

	// token marks the requests of the admin's own listener (server.admin.listen), in the
	// adminHeader request header; requests to the main listener have the header removed.
	token string
	ln    net.Listener
	srv   *http.Server
}

// adminHeader carries the admin listener's token on its requests, to the engine's handshake.
const adminHeader = "X-Ioroute-Admin-Listener"

// newAdmin creates the admin namespace of server.admin, a.
func (r *Router) newAdmin(a config.Admin) *admin {
	host, _ := os.Hostname()
	ad := &admin{r: r, cfg: a, dev: a.Mode == config.AdminDevelopment, hostname: host, serverID: host,
		started: time.Now(), sessions: map[string]time.Time{}, failures: map[string][]time.Time{}}
	if r.cluster != nil {
		// several nodes may run on one host: tell them apart as Node's cluster workers are
		// (and several routers in one process, as in tests, by their order)
		ad.serverID = host + "#" + itoa(os.Getpid())
		if n := adminRouters.Add(1); n > 1 {
			ad.serverID += "-" + itoa(int(n))
		}
	}
	if !a.Readonly {
		ad.features = append(ad.features, adminFeatures...)
	}
	ad.features = append(ad.features, "AGGREGATED_EVENTS")
	if ad.dev {
		ad.features = append(ad.features, "ALL_EVENTS")
	}
	if a.Listen != "" {
		ad.token = randomID() + randomID()
	}
	ad.ns = r.io.Of(a.Namespace, nil)
	ad.ns.Use(ad.authenticate)
	ad.ns.On("connection", ad.onConnection)
	ad.watch(ad.ns)
	return ad
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// watch installs the reporting hooks on a namespace of the config (or the admin's own).
func (a *admin) watch(ns sio.Namespace) {
	if !a.dev {
		return
	}
	name := string(ns.Name())
	ad := ns.Adapter()
	_ = ad.On("join-room", func(args ...any) {
		if a.watching.Load() && len(args) == 2 {
			a.emit("room_joined", name, args[0], args[1], now())
		}
	})
	_ = ad.On("leave-room", func(args ...any) {
		if a.watching.Load() && len(args) == 2 {
			a.emit("room_left", name, args[0], args[1], now())
		}
	})
}

// now is a time as the UI reads it (a JSON date).
func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

// emit sends an event to every admin socket, on every node.
func (a *admin) emit(event string, args ...any) {
	_ = a.ns.Emit(event, args...)
}

// authenticate is the admin namespace's middleware: a known session id, or the user's
// name and password; else connect_error "invalid credentials".
func (a *admin) authenticate(s *sio.Socket, next func(*sio.ExtendedError)) {
	if a.token != "" && !a.viaListener(s.Handshake()) {
		next(sio.NewExtendedError("Invalid namespace", nil)) // served on server.admin.listen only
		return
	}
	auth := a.cfg.Auth
	if auth == nil {
		next(nil)
		return
	}
	creds := s.Handshake().Auth
	if id, ok := creds["sessionId"].(string); ok && id != "" && a.sessionValid(id) {
		next(nil)
		return
	}
	user, _ := creds["username"].(string)
	pass, _ := creds["password"].(string)
	if user == "" && pass == "" {
		// no credentials (the UI tries its stored session first): not a guess, not counted
		next(sio.NewExtendedError("invalid credentials", nil))
		return
	}
	addr := engine.Handshake(s.Handshake()).Address
	// the attempt counts as failed until the password matched, so that attempts made at
	// once cannot pass the limit together
	at, allowed := a.attempt(addr)
	if !allowed {
		a.r.clientLog.Warn("admin login refused: too many failed attempts from this address", "address", addr)
		next(sio.NewExtendedError("invalid credentials", nil))
		return
	}
	if user == auth.Username && bcrypt.CompareHashAndPassword([]byte(auth.PasswordHash), []byte(pass)) == nil {
		a.succeeded(addr, at)
		id := randomID()
		a.mu.Lock()
		a.sessions[id] = time.Now().Add(adminSessionTTL)
		a.mu.Unlock()
		a.pending.Store(s, id)
		time.AfterFunc(connectWait, func() { a.pending.Delete(s) }) // in case it never connects
		next(nil)
		return
	}
	a.r.clientLog.Warn("admin login refused: invalid credentials", "address", addr, "username", user)
	next(sio.NewExtendedError("invalid credentials", nil))
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sessionValid tells whether id is a session that has not expired (and forgets expired ones).
func (a *admin) sessionValid(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.sessions[id]
	if ok && time.Now().After(exp) {
		delete(a.sessions, id)
		return false
	}
	return ok
}

// attempt records a login attempt from addr as failed, unless addr failed
// adminFailuresPerMinute logins in the last minute (allowed false).
func (a *admin) attempt(addr string) (at time.Time, allowed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.recent(addr)
	if len(l) >= adminFailuresPerMinute {
		return time.Time{}, false
	}
	at = time.Now()
	a.failures[addr] = append(l, at)
	return at, true
}

// succeeded takes back the failure attempt recorded at at from addr: the password matched.
func (a *admin) succeeded(addr string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.failures[addr]
	for i, t := range l {
		if t.Equal(at) {
			a.failures[addr] = append(l[:i:i], l[i+1:]...)
			break
		}
	}
	if len(a.failures[addr]) == 0 {
		delete(a.failures, addr)
	}
}

// recent is addr's failed logins of the last minute (a.mu held).
func (a *admin) recent(addr string) []time.Time {
	l := a.failures[addr]
	cut := time.Now().Add(-time.Minute)
	i := 0
	for i < len(l) && l[i].Before(cut) {
		i++
	}
	l = l[i:]
	if len(l) == 0 {
		delete(a.failures, addr)
		return nil
	}
	a.failures[addr] = l
	return l
}

// onConnection serves one admin socket.
func (a *admin) onConnection(args ...any) {
	s, ok := args[0].(*sio.Socket)
	if !ok {
		return
	}
	if id, ok := a.pending.LoadAndDelete(s); ok {
		_ = s.Emit("session", id)
	}
	a.local.Add(1)
	a.updateWatching()
	a.socketConnected(s)
	// the engine may announce one disconnection twice (the client's DISCONNECT, then the
	// transport closing): it is counted once
	var left sync.Once
	s.On("disconnect", func(reason ...any) {
		left.Do(func() {
			a.local.Add(-1)
			a.socketDisconnected(s, reason)
			a.updateWatching()
		})
	})
	if !a.cfg.Readonly {
		a.handleUI(s)
	}
	_ = s.Emit("config", map[string]any{"supportedFeatures": a.features})
	if a.dev {
		go func() {
			list := a.allSockets()
			if s.Connected() {
				_ = s.Emit("all_sockets", list)
			}
		}()
	}
}

// updateWatching sets watching from the admin sockets known.
func (a *admin) updateWatching() {
	a.setWatching(a.local.Load() > 0 || a.remote.Load())
}

// start sends server_stats every adminStatsEvery until stopAdmin.
func (a *admin) start() {
	_ = a.r.io.Engine().On("connection", a.onRawConnection)
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(adminStatsEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				a.prune()
				if a.r.cluster != nil {
					a.checkRemote()
				}
				if a.watching.Load() {
					a.emit("server_stats", a.stats())
				}
			case <-a.stop:
				return
			}
		}
	}()
}

// close stops the stats.
func (a *admin) close() {
	if a.stop != nil {
		close(a.stop)
		<-a.done
	}
	if a.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := a.srv.Shutdown(ctx); err != nil {
			_ = a.srv.Close()
		}
	}
}

// prune forgets expired sessions and failed logins older than a minute.
func (a *admin) prune() {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for id, exp := range a.sessions {
		if now.After(exp) {
			delete(a.sessions, id)
		}
	}
	for addr := range a.failures {
		a.recent(addr)
	}
}

// checkRemote asks the cluster whether an admin socket is connected to another node.
func (a *admin) checkRemote() {
	done := make(chan int, 1)
	a.ns.FetchSockets()(func(s []*sio.RemoteSocket, _ error) { done <- len(s) })
	select {
	case n := <-done:
		a.remote.Store(int64(n) > a.local.Load())
	case <-time.After(adminStatsEvery):
	}
	a.updateWatching()
}

// stats is one server_stats report.
func (a *admin) stats() map[string]any {
	eng := a.r.io.Engine()
	polling := 0
	eng.Clients().Range(func(_ string, c eio.Socket) bool {
		if c.Transport().Name() == "polling" {
			polling++
		}
		return true
	})
	return map[string]any{
		"serverId":            a.serverID,
		"hostname":            a.hostname,
		"pid":                 os.Getpid(),
		"uptime":              time.Since(a.started).Seconds(),
		"clientsCount":        eng.ClientsCount(),
		"pollingClientsCount": polling,
		"aggregatedEvents":    a.events.take(),
		"namespaces":          a.namespaces(),
	}
}

// namespaces lists every namespace with its sockets, the admin's included, as Node lists io._nsps.
func (a *admin) namespaces() []map[string]any {
	out := []map[string]any{}
	for _, ns := range a.allNamespaces() {
		out = append(out, map[string]any{"name": string(ns.Name()), "socketsCount": ns.Sockets().Len()})
	}
	return out
}

// allNamespaces is every namespace of the engine that a table declared, and the admin's.
func (a *admin) allNamespaces() []sio.Namespace {
	var out []sio.Namespace
	a.r.nsps.Range(func(_, v any) bool {
		out = append(out, v.(sio.Namespace))
		return true
	})
	return append(out, a.ns)
}

// namespace finds a namespace the UI names: one a table declared, or the admin's.
func (a *admin) namespace(name string) sio.Namespace {
	if name == a.cfg.Namespace {
		return a.ns
	}
	return a.r.namespace(name)
}

// allSockets describes every socket of every namespace, on every node, for all_sockets.
func (a *admin) allSockets() []map[string]any {
	out := []map[string]any{}
	for _, ns := range a.allNamespaces() {
		done := make(chan []*sio.RemoteSocket, 1)
		ns.FetchSockets()(func(s []*sio.RemoteSocket, _ error) { done <- s })
		for _, rs := range <-done {
			out = append(out, a.describeRemote(ns, rs))
		}
	}
	return out
}

// describeRemote serializes a socket as the package's serialize does; clientId and transport
// are known for the sockets of this node.
func (a *admin) describeRemote(ns sio.Namespace, rs *sio.RemoteSocket) map[string]any {
	data, adm := withoutAdmin(rs.Data())
	var clientID, transport any
	if s, ok := ns.Sockets().Load(rs.Id()); ok && s != nil {
		clientID, transport = clientOf(s)
	} else if adm != nil {
		clientID, transport = adm["clientId"], adm["transport"] // another node's socket
	}
	return serializeSocket(string(rs.Id()), clientID, transport, string(ns.Name()), data, rs.Handshake(), rs.Rooms().Keys())
}

// clientOf is what Node keeps in socket.data._admin: the first 12 characters of the engine
// connection's id, and its transport's name.
func clientOf(s *sio.Socket) (clientID, transport any) {
	conn := s.Conn()
	id := conn.Id()
	if len(id) > 12 {
		id = id[:12]
	}
	return id, conn.Transport().Name()
}

// serializeSocket is one socket as the package's serialize describes it.
func serializeSocket(id string, clientID, transport any, nsp string, data map[string]any, h *sio.Handshake, rs []sio.Room) map[string]any {
	hs := engine.Handshake(h)
	addr := any(hs.Address)
	if v, ok := hs.Headers["cf-connecting-ip"]; ok && v != "" {
		addr = v
	} else if v, ok := hs.Headers["x-forwarded-for"]; ok && v != "" {
		addr = v
	}
	if data == nil {
		data = map[string]any{}
	}
	delete(hs.Headers, strings.ToLower(adminHeader))
	rooms := make([]string, len(rs))
	for i, r := range rs {
		rooms[i] = string(r)
	}
	return map[string]any{
		"id": id, "clientId": clientID, "transport": transport, "nsp": nsp, "data": data,
		"handshake": map[string]any{
			"address": addr, "headers": hs.Headers, "query": hs.Query, "issued": hs.Issued,
			"secure": hs.Secure, "time": hs.Time, "url": hs.URL, "xdomain": hs.Xdomain,
		},
		"rooms": rooms,
	}
}

// socketConnected reports a socket that connected (socket_connected), and its transport's
// upgrade (socket_updated).
func (a *admin) socketConnected(s *sio.Socket) {
	if !a.dev || !a.watching.Load() {
		return
	}
	clientID, transport := clientOf(s)
	nsp := string(s.Nsp().Name())
	data, _ := s.Data().(map[string]any)
	a.emit("socket_connected", serializeSocket(string(s.Id()), clientID, transport, nsp, data, s.Handshake(), s.Rooms().Keys()), now())
	if transport == "polling" {
		conn := s.Conn()
		_ = conn.Once("upgrade", func(args ...any) {
			if a.watching.Load() {
				a.emit("socket_updated", map[string]any{"id": string(s.Id()), "nsp": nsp, "transport": conn.Transport().Name()})
			}
		})
	}
}

// socketDisconnected reports a socket that left.
func (a *admin) socketDisconnected(s *sio.Socket, reason []any) {
	if !a.dev || !a.watching.Load() {
		return
	}
	var why any
	if len(reason) > 0 {
		why = reason[0]
	}
	a.emit("socket_disconnected", string(s.Nsp().Name()), string(s.Id()), why, now())
}

// eventReceived reports an event a socket of the config sent (without its ack).
func (a *admin) eventReceived(nsp, id string, in []any) {
	if !a.dev || !a.watching.Load() {
		return
	}
	args := in
	if n := len(args); n > 0 {
		switch args[n-1].(type) {
		case func([]any, error):
			args = args[:n-1]
		}
	}
	a.emit("event_received", nsp, id, engine.Incoming(append([]any(nil), args...)), now())
}

// watchOutgoing reports every event sent to socket s of the config (event_sent), emitted to it
// or broadcast, as Node's onAnyOutgoing does. The listener is on the socket only while an
// admin watches (setWatching adds it to the sockets connected then and takes it off again):
// the engine copies a socket's outgoing listeners for every packet it has some for.
func (a *admin) watchOutgoing(s *sio.Socket) {
	if !a.dev || !a.watching.Load() {
		return
	}
	a.watchMu.Lock() // not while setWatching takes the listeners off
	defer a.watchMu.Unlock()
	a.watchOutgoingLocked(s)
}

// watchOutgoingLocked is watchOutgoing with watchMu held.
func (a *admin) watchOutgoingLocked(s *sio.Socket) {
	if !a.watching.Load() {
		return
	}
	if _, had := a.outgoing.LoadOrStore(s, struct{}{}); had {
		return
	}
	nsp, id := string(s.Nsp().Name()), string(s.Id())
	engine.ListenOutgoing(s, func(args ...any) {
		if a.watching.Load() {
			a.emit("event_sent", nsp, id, append([]any(nil), args...), now())
		}
	})
	unwatch := func(...any) {
		if _, had := a.outgoing.LoadAndDelete(s); had {
			engine.UnlistenOutgoing(s)
		}
	}
	s.Once("disconnect", unwatch)
	if !s.Connected() {
		unwatch() // gone before the listener was there to hear it
	}
}

// setWatching records whether an admin watches, and puts the outgoing listeners on the
// config's sockets or takes them off when that changes.
func (a *admin) setWatching(on bool) {
	a.watchMu.Lock()
	defer a.watchMu.Unlock()
	if a.watching.Swap(on) == on || !a.dev {
		return
	}
	if on {
		a.r.nsps.Range(func(_, v any) bool {
			v.(sio.Namespace).Sockets().Range(func(_ sio.SocketId, s *sio.Socket) bool {
				a.watchOutgoingLocked(s)
				return true
			})
			return true
		})
		return
	}
	a.outgoing.Range(func(k, _ any) bool {
		if _, had := a.outgoing.LoadAndDelete(k); had {
			engine.UnlistenOutgoing(k.(*sio.Socket)) // ioroute puts no other outgoing listener on sockets
		}
		return true
	})
}

// dataUpdated reports a socket's new data.
func (a *admin) dataUpdated(nsp, id string, data map[string]any) {
	if !a.dev || !a.watching.Load() {
		return
	}
	a.emit("socket_updated", map[string]any{"id": id, "nsp": nsp, "data": data})
}

// handleUI serves the UI's requests of admin socket s: emit, join, leave and _disconnect,
// on every node through the namespace's broadcast operator. Arguments of the wrong types are
// ignored with a debug line.
func (a *admin) handleUI(s *sio.Socket) {
	log := a.r.log
	bad := func(event string, args []any) {
		log.Debug("admin: request with arguments of the wrong types ignored", "event", event, "args", len(args))
	}
	s.On("emit", func(args ...any) {
		args = dropAck(args)
		if len(args) < 3 {
			bad("emit", args)
			return
		}
		nsp, ok1 := args[0].(string)
		filter, ok2 := optString(args[1])
		ev, ok3 := args[2].(string)
		ns := a.namespace(nsp)
		if !ok1 || !ok2 || !ok3 || ns == nil {
			bad("emit", args)
			return
		}
		rest := engine.Incoming(append([]any(nil), args[3:]...))
		if filter != "" {
			_ = ns.In(sio.Room(filter)).Emit(ev, rest...)
		} else {
			_ = ns.Emit(ev, rest...)
		}
	})
	rooms := func(event string, do func(op *sio.BroadcastOperator, room sio.Room)) {
		s.On(event, func(args ...any) {
			args = dropAck(args)
			if len(args) < 2 {
				bad(event, args)
				return
			}
			nsp, ok1 := args[0].(string)
			room, ok2 := args[1].(string)
			filter := ""
			ok3 := true
			if len(args) > 2 {
				filter, ok3 = optString(args[2])
			}
			ns := a.namespace(nsp)
			if !ok1 || !ok2 || !ok3 || ns == nil {
				bad(event, args)
				return
			}
			do(operator(ns, filter), sio.Room(room))
		})
	}
	rooms("join", func(op *sio.BroadcastOperator, room sio.Room) { op.SocketsJoin(room) })
	rooms("leave", func(op *sio.BroadcastOperator, room sio.Room) { op.SocketsLeave(room) })
	s.On("_disconnect", func(args ...any) {
		args = dropAck(args)
		if len(args) < 2 {
			bad("_disconnect", args)
			return
		}
		nsp, ok1 := args[0].(string)
		closeConn, ok2 := args[1].(bool)
		filter := ""
		ok3 := true
		if len(args) > 2 {
			filter, ok3 = optString(args[2])
		}
		ns := a.namespace(nsp)
		if !ok1 || !ok2 || !ok3 || ns == nil {
			bad("_disconnect", args)
			return
		}
		operator(ns, filter).DisconnectSockets(closeConn)
	})
}

// operator is the broadcast operator of ns, for the sockets in room filter ("" for all).
func operator(ns sio.Namespace, filter string) *sio.BroadcastOperator {
	if filter != "" {
		return ns.In(sio.Room(filter))
	}
	return ns.In()
}

// optString reads an optional string argument: a string, or nothing (null).
func optString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	}
	return "", false
}

// dropAck removes a trailing acknowledgement callback.
func dropAck(args []any) []any {
	if n := len(args); n > 0 {
		switch args[n-1].(type) {
		case func([]any, error):
			return args[:n-1]
		}
	}
	return args
}

// onRawConnection counts a new engine connection, and its end, for aggregatedEvents.
func (a *admin) onRawConnection(args ...any) {
	if !a.watching.Load() || len(args) == 0 {
		return
	}
	a.events.push("rawConnection", nil, 1)
	if c, ok := args[0].(eio.Socket); ok {
		_ = c.Once("close", func(reason ...any) {
			var why any
			if len(reason) > 0 {
				why = reason[0]
			}
			if a.watching.Load() {
				a.events.push("rawDisconnection", why, 1)
			}
		})
	}
}

// packet counts one packet of size bytes, for aggregatedEvents, while an admin watches.
func (a *admin) packet(packets, bytes string, size int) {
	if !a.watching.Load() {
		return
	}
	a.events.push(packets, nil, 1)
	a.events.push(bytes, nil, size)
}

// eventBuffer aggregates counts by second, type and subtype, as the package's EventBuffer.
type eventBuffer struct {
	mu  sync.Mutex
	buf map[eventKey]*aggregated
}

type eventKey struct {
	ts      int64
	typ     string
	subType any
}

type aggregated struct {
	Timestamp int64  `json:"timestamp"`
	Type      string `json:"type"`
	SubType   any    `json:"subType,omitempty"`
	Count     int    `json:"count"`
}

func (b *eventBuffer) push(typ string, subType any, n int) {
	ts := time.Now().Truncate(time.Second).UnixMilli()
	if subType != nil {
		subType = toString(subType)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		b.buf = map[eventKey]*aggregated{}
	}
	k := eventKey{ts, typ, subType}
	if e, ok := b.buf[k]; ok {
		e.Count += n
		return
	}
	b.buf[k] = &aggregated{Timestamp: ts, Type: typ, SubType: subType, Count: n}
}

func (b *eventBuffer) take() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]map[string]any, 0, len(b.buf))
	for _, e := range b.buf {
		m := map[string]any{"timestamp": e.Timestamp, "type": e.Type, "count": e.Count}
		if e.SubType != nil {
			m["subType"] = e.SubType
		}
		out = append(out, m)
	}
	clear(b.buf)
	return out
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case error:
		return x.Error()
	case interface{ String() string }:
		return x.String()
	}
	return ""
}

// viaListener tells whether a handshake came through the admin's own listener.
func (a *admin) viaListener(h *sio.Handshake) bool {
	for k, v := range h.Headers {
		if strings.EqualFold(k, adminHeader) {
			return engine.First(v) == a.token
		}
	}
	return false
}

// startListener serves the admin namespace and the UI on server.admin.listen: the engine (the
// same one), with its requests marked, and the UI.
func (a *admin) startListener() error {
	if a.token == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("admin listen on %s: %w", a.cfg.Listen, err)
	}
	r := a.r
	eio := r.front(r.io.ServeHandler(nil))
	mux := http.NewServeMux()
	if a.cfg.UI {
		mux.Handle(adminui.Prefix, adminui.Handler(r.server.Path, a.cfg.Namespace))
		mux.Handle(strings.TrimSuffix(adminui.Prefix, "/"), http.RedirectHandler(adminui.Prefix, http.StatusMovedPermanently))
	}
	prefix := strings.TrimRight(r.server.Path, "/") + "/"
	mark := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req.Header.Set(adminHeader, a.token)
		eio.ServeHTTP(w, req)
	})
	mux.Handle(prefix, mark)
	a.ln = ln
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("admin server stopped", "error", err)
		}
	}()
	r.log.Info("admin listening", "addr", "http://"+ln.Addr().String(), "namespace", a.cfg.Namespace, "ui", a.cfg.UI)
	return nil
}

// AdminAddr is the address of server.admin.listen, once started; nil without it.
func (r *Router) AdminAddr() net.Addr {
	if r.admin == nil || r.admin.ln == nil {
		return nil
	}
	return r.admin.ln.Addr()
}

// mountAdminUI serves the Admin UI at /admin/ for server.admin.ui, on the main listener
// unless server.admin.listen gives it its own.
func (r *Router) mountAdminUI(mux *http.ServeMux) {
	a := r.admin
	if a == nil || !a.cfg.UI || a.token != "" {
		return
	}
	mux.Handle(adminui.Prefix, adminui.Handler(r.server.Path, a.cfg.Namespace))
	mux.Handle(strings.TrimSuffix(adminui.Prefix, "/"), http.RedirectHandler(adminui.Prefix, http.StatusMovedPermanently))
}
