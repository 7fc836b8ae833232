package api

import (
	"net/http"
	"reflect"
	"strings"
)

// Route is one endpoint: Prefix+Name, answering Method.
type Route struct {
	Name   string
	Method string
	// Request is the JSON body's type (nil for a GET, which reads its query); docs/api.yaml's
	// schema of the body lists the same fields.
	Request reflect.Type
	// Query lists the query parameters a GET reads.
	Query []string
	// Statuses are the statuses the endpoint answers with.
	Statuses []int
	// serve answers a request that has the right key and method.
	serve func(h *handler, w http.ResponseWriter, r *http.Request) (status int, out any, err error)
}

// ok is the answer of the endpoints that act.
type ok struct {
	OK bool `json:"ok"`
}

// SocketList is the answer of sockets.
type SocketList struct {
	Sockets []map[string]any `json:"sockets"`
}

// postStatuses are what every POST endpoint may answer.
var postStatuses = []int{200, 400, 401, 405, 413, 500}

// Routes are the API's endpoints.
var Routes = []Route{
	{Name: "emit", Method: http.MethodPost, Request: reflect.TypeFor[EmitRequest](), Statuses: postStatuses, serve: serveEmit},
	{Name: "disconnect", Method: http.MethodPost, Request: reflect.TypeFor[DisconnectRequest](), Statuses: postStatuses, serve: serveDisconnect},
	{Name: "join", Method: http.MethodPost, Request: reflect.TypeFor[RoomRequest](), Statuses: postStatuses, serve: serveRoom(true)},
	{Name: "leave", Method: http.MethodPost, Request: reflect.TypeFor[RoomRequest](), Statuses: postStatuses, serve: serveRoom(false)},
	{Name: "sockets", Method: http.MethodGet, Query: []string{"namespace", "room"}, Statuses: []int{200, 400, 401, 405, 504}, serve: serveSockets},
}

// routeList names the endpoints, for a request to none of them.
func routeList() string {
	var names []string
	for _, r := range Routes {
		names = append(names, r.Method+" "+Prefix+r.Name)
	}
	return strings.Join(names, ", ")
}

func serveEmit(h *handler, w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req EmitRequest
	if status, err := h.decode(w, r, &req); err != nil {
		return status, nil, err
	}
	args, err := req.check(h.s)
	if err != nil {
		return http.StatusBadRequest, nil, err
	}
	if err := h.s.Emit(req.Namespace, req.To, req.Except, req.Event, args); err != nil {
		return http.StatusInternalServerError, nil, err
	}
	h.o.Log.Debug("api: emit", "namespace", req.Namespace, "event", req.Event, "to", strings.Join(req.To, ","), "except", strings.Join(req.Except, ","))
	return http.StatusOK, ok{true}, nil
}

func serveDisconnect(h *handler, w http.ResponseWriter, r *http.Request) (int, any, error) {
	var req DisconnectRequest
	if status, err := h.decode(w, r, &req); err != nil {
		return status, nil, err
	}
	targets, err := req.targets.check(h.s, req.Namespace)
	if err != nil {
		return http.StatusBadRequest, nil, err
	}
	if err := h.s.Disconnect(req.Namespace, targets, req.Close); err != nil {
		return http.StatusInternalServerError, nil, err
	}
	h.o.Log.Debug("api: disconnect", "namespace", req.Namespace, "targets", strings.Join(targets, ","), "close", req.Close)
	return http.StatusOK, ok{true}, nil
}

func serveRoom(join bool) func(h *handler, w http.ResponseWriter, r *http.Request) (int, any, error) {
	return func(h *handler, w http.ResponseWriter, r *http.Request) (int, any, error) {
		var req RoomRequest
		if status, err := h.decode(w, r, &req); err != nil {
			return status, nil, err
		}
		targets, err := req.targets.check(h.s, req.Namespace)
		if err == nil {
			err = checkName("room", req.Room)
		}
		if err != nil {
			return http.StatusBadRequest, nil, err
		}
		act, name := h.s.Leave, "leave"
		if join {
			act, name = h.s.Join, "join"
		}
		if err := act(req.Namespace, targets, req.Room); err != nil {
			return http.StatusInternalServerError, nil, err
		}
		h.o.Log.Debug("api: "+name, "namespace", req.Namespace, "targets", strings.Join(targets, ","), "room", req.Room)
		return http.StatusOK, ok{true}, nil
	}
}

func serveSockets(h *handler, _ http.ResponseWriter, r *http.Request) (int, any, error) {
	q := r.URL.Query()
	for name := range q {
		if name != "namespace" && name != "room" {
			return http.StatusBadRequest, nil, badField(name, "unknown query parameter; sockets takes namespace and room")
		}
	}
	ns := q.Get("namespace")
	if len(q["namespace"]) > 1 {
		return http.StatusBadRequest, nil, badField("namespace", "give one namespace")
	}
	if err := checkNamespace(h.s, ns); err != nil {
		return http.StatusBadRequest, nil, err
	}
	rooms := q["room"]
	for _, room := range rooms {
		if err := checkName("room", room); err != nil {
			return http.StatusBadRequest, nil, err
		}
	}
	list, err := h.s.Sockets(ns, rooms)
	if err != nil {
		return http.StatusGatewayTimeout, nil, err
	}
	if list == nil {
		list = []map[string]any{}
	}
	return http.StatusOK, SocketList{Sockets: list}, nil
}
