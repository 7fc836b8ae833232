package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/ioroute/ioroute/actions"
)

// Fields tagged `api:"required"` must be given; docs/api.yaml lists them as required.

// EmitRequest is the body of POST /api/emit: what a config's emit step says, from outside.
type EmitRequest struct {
	Namespace string `json:"namespace" api:"required"`
	Event     string `json:"event" api:"required"`
	// Data is the one argument; Args several. Raw, to tell `"data": null` (one null argument)
	// from no data at all.
	Data json.RawMessage `json:"data"`
	Args json.RawMessage `json:"args"`
	// To lists rooms or socket ids; without it, every socket of the namespace.
	To []string `json:"to"`
	// Except lists rooms or socket ids that do not receive it.
	Except []string `json:"except"`
}

// targets are the sockets a request acts on: by id, or by the rooms they are in.
type targets struct {
	Sockets []string `json:"sockets"`
	Rooms   []string `json:"rooms"`
}

// DisconnectRequest is the body of POST /api/disconnect.
type DisconnectRequest struct {
	Namespace string `json:"namespace" api:"required"`
	targets
	// Close ends the sockets' whole connection (every namespace), as Node's disconnect(true).
	Close bool `json:"close"`
}

// RoomRequest is the body of POST /api/join and POST /api/leave.
type RoomRequest struct {
	Namespace string `json:"namespace" api:"required"`
	targets
	Room string `json:"room" api:"required"`
}

// decode reads a JSON body into v: one object, within the size bound, with no field v does
// not have. It returns the status to answer with when it cannot.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, int64(h.o.MaxBody)))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge, &fieldError{msg: fmt.Sprintf("the body is over %d bytes (server.max_payload)", h.o.MaxBody)}
	}
	if err != nil {
		return http.StatusBadRequest, bodyError(err, v)
	}
	return 0, nil
}

// bodyError says what is wrong with a body that does not decode, naming the field at fault.
func bodyError(err error, v any) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return &fieldError{msg: "the body is empty; send a JSON object"}
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &fieldError{msg: "the body is not JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return &fieldError{msg: "the body must be a JSON object, got " + typeErr.Value}
	case errors.As(err, &typeErr):
		return badField(typeErr.Field, "expected %s, got %s", jsonType(typeErr.Type), typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return badField(name, "unknown field; this endpoint takes %s", strings.Join(jsonFields(reflect.TypeOf(v).Elem()), ", "))
	}
	return &fieldError{msg: "the body is not a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// jsonType names a Go type as JSON does.
func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "a list of strings"
		}
		return "a list"
	}
	return t.String()
}

// jsonFields lists the JSON names of struct t's fields, those of embedded structs included.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// requiredFields lists the JSON names of t's fields tagged `api:"required"`.
func requiredFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, requiredFields(f.Type)...)
		} else if f.Tag.Get("api") == "required" {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			out = append(out, name)
		}
	}
	return out
}

// check validates an emit and returns its arguments.
func (req *EmitRequest) check(s Server) ([]any, error) {
	if err := checkNamespace(s, req.Namespace); err != nil {
		return nil, err
	}
	switch {
	case req.Event == "":
		return nil, badField("event", "required: the name of the event to send")
	case actions.IsReserved(req.Event):
		return nil, badField("event", "%q is reserved by Socket.IO and cannot be emitted", req.Event)
	case req.Event == actions.CatchAll:
		return nil, badField("event", `"*" names a config's catch-all handler, not an event; name the event to send`)
	}
	if err := checkNames("to", req.To, true); err != nil {
		return nil, err
	}
	if err := checkNames("except", req.Except, true); err != nil {
		return nil, err
	}
	switch {
	case len(req.Data) > 0 && len(req.Args) > 0:
		return nil, badField("args", "give data (one argument) or args (several), not both")
	case len(req.Data) > 0:
		var v any
		if err := json.Unmarshal(req.Data, &v); err != nil {
			return nil, badField("data", "%v", err)
		}
		return []any{v}, nil
	case len(req.Args) > 0:
		var args []any
		if err := json.Unmarshal(req.Args, &args); err != nil || args == nil {
			return nil, badField("args", "expected a list of arguments")
		}
		return args, nil
	}
	return nil, nil
}

// check validates the sockets or rooms a request acts on and returns them as rooms.
func (t *targets) check(s Server, ns string) ([]string, error) {
	if err := checkNamespace(s, ns); err != nil {
		return nil, err
	}
	switch {
	case t.Sockets != nil && t.Rooms != nil:
		return nil, badField("rooms", "give sockets (ids) or rooms, not both")
	case t.Sockets != nil:
		return t.Sockets, checkNames("sockets", t.Sockets, false)
	case t.Rooms != nil:
		return t.Rooms, checkNames("rooms", t.Rooms, false)
	}
	return nil, badField("sockets", "required: give sockets (a list of socket ids) or rooms (a list of room names)")
}

// checkNamespace refuses a namespace the config does not declare.
func checkNamespace(s Server, ns string) error {
	switch {
	case ns == "":
		return badField("namespace", "required: a namespace of the config, such as \"/chat\"")
	case !strings.HasPrefix(ns, "/"):
		return badField("namespace", "namespace names start with \"/\", as in \"/%s\"", ns)
	case !s.Declared(ns):
		return badField("namespace", "%q is not declared in the config", ns)
	}
	return nil
}

// checkNames refuses an empty list (which would act on nobody, or everybody) and empty names.
func checkNames(field string, names []string, optional bool) error {
	if names == nil && optional {
		return nil
	}
	if len(names) == 0 {
		return badField(field, "the list is empty; name at least one room or socket id")
	}
	for i, n := range names {
		if err := checkName(fmt.Sprintf("%s[%d]", field, i), n); err != nil {
			return err
		}
	}
	return nil
}

// checkName refuses an empty room or socket name.
func checkName(field, name string) error {
	if name == "" {
		return badField(field, "required, and must not be empty")
	}
	return nil
}
