// Package config reads ioroute config files into positioned structures.
//
// It knows YAML and positions, not Socket.IO: namespaces, events and steps come out as
// Nodes with file:line:col positions and paths such as namespaces./chat.on.message[0].
package config

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is a parsed config file.
type File struct {
	// Name is the file name used in positions.
	Name       string
	Version    int
	Server     Server
	Namespaces []*Namespace
	// Root is the whole document, for schema validation.
	Root *Node
}

// Namespace is one entry under namespaces.
type Namespace struct {
	Name     string
	Pos      Pos
	Path     string
	Handlers []*Handler
	// OnError are the steps run when a step of an event handler without an on_error of its
	// own fails.
	OnError []*Step
	// OnErrorNode is the namespace's on_error as written, or nil when it has none.
	OnErrorNode *Node
}

// Handler is what runs for one event of a namespace: a list of steps, or the mapping form
// with a guard (when) and error steps (on_error) around the steps (do).
type Handler struct {
	Event string
	Pos   Pos
	Path  string
	// When is the guard, evaluated once per event before any step, or nil.
	When  *Node
	Steps []*Step
	// OnError are the steps run when a step fails.
	OnError []*Step
	// OnErrorNode is the handler's on_error as written, or nil when it has none: then the
	// namespace's applies. An empty one replaces the namespace's with nothing.
	OnErrorNode *Node
	// Body is the handler as written, to tell whether a reload changed it.
	Body *Node
}

// Step is one action of a handler, with its optional condition and loop.
type Step struct {
	// Action is the action's name, the step's one key other than when and for_each.
	Action    string
	ActionPos Pos
	// Body is the value under the action key.
	Body *Node
	// When is the condition, or nil.
	When *Node
	// ForEach is the list the step runs once per item of, or nil.
	ForEach *Node
	Pos     Pos
	// Path locates the step, such as namespaces./chat.on.message[0].
	Path string
}

// TopFields declares the top-level keys.
var TopFields = []Field{
	{Name: "version", Type: Int, Required: true, Doc: "Config language version; must be 1."},
	{Name: "server", Type: Object, Fields: ServerFields, Doc: "Server settings."},
	{Name: "namespaces", Type: Map, Required: true, Doc: "Namespaces by name (\"/chat\"); each has `on`, a map from event name to steps."},
}

// NamespaceFields declares the keys of one namespace.
var NamespaceFields = []Field{
	{Name: "on", Type: Map, Doc: "Event name to handler: a list of steps, or a mapping with `do`, `when` and `on_error`. " +
		"`connect` and `disconnect` are the lifecycle events; `\"*\"` handles every event that has no handler of its own."},
	{Name: "on_error", Type: Steps, Doc: "Steps run when a step of an event handler of the namespace fails, for handlers without an on_error of their own " +
		"(connect and disconnect handlers use only their own: a failing connect handler refuses its socket, and a disconnecting client is gone); " +
		"`error.message` and `error.step` say what failed.", Example: "on_error:\n  - emit: { event: error, data: \"${{ error.message }}\" }"},
}

// HandlerFields declares the keys of a handler written as a mapping.
var HandlerFields = []Field{
	{Name: "when", Type: Expr, Doc: "Run the handler only when this bare expression is true. It is evaluated once per event, before any step; when it is false nothing runs.", Example: "when: auth.role == \"admin\""},
	{Name: "do", Type: Steps, Required: true, Doc: "The steps, run in order."},
	{Name: "on_error", Type: Steps, Doc: "Steps run when a step fails (the rest of `do` is skipped), with `error.message` and `error.step`; " +
		"they replace the namespace's on_error, an empty list included."},
}

// Parse parses config source; name is used in positions and to resolve relative paths.
// Every problem found is reported at once as Errors.
func Parse(name string, src []byte) (*File, error) {
	var errs Errors
	if len(src) > MaxFileSize {
		errs.Add(Pos{File: name, Line: 1}, "", "the file is %s, over the %s a config may have; make it smaller",
			mebibytes(len(src)), mebibytes(MaxFileSize))
		return nil, errs.Err()
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			errs.Add(Pos{File: name, Line: 1}, "", "the file is empty; it needs at least `version: 1` and `namespaces`")
			return nil, errs.Err()
		}
		errs.Append(yamlError(name, src, err))
		return nil, errs.Err()
	}
	// Every later error would follow from the values left out, so a limit is the only error.
	if past := firstPastLimit(&doc, new(int)); past != nil {
		errs.Add(Pos{File: name, Line: past.Line, Col: past.Column}, "",
			"the config has more than %d values (mappings, lists and scalars), the most one config may hold; "+
				"it passes the limit here: make it smaller", MaxValues)
		return nil, errs.Err()
	}
	root, fatal := fromYAML(name, &doc, "", &errs)
	if fatal != nil {
		return nil, Errors{fatal}.Err()
	}
	f := &File{Name: name, Root: root}
	if root.Kind != MapNode {
		errs.Add(root.Pos, "", "expected a mapping with version and namespaces, got %s", root.Describe())
		return nil, errs.Err()
	}
	for _, e := range root.Entries {
		if e.Key == "server" {
			continue // checked by decodeServer, which gives better messages
		}
		if _, ok := Lookup(TopFields, e.Key); !ok {
			errs.Add(e.KeyPos, e.Key, "unknown field%s", suggest(e.Key, fieldNames(TopFields)))
		}
	}
	if v := root.Get("version"); v == nil {
		errs.Add(root.Pos, "", "missing required field \"version\" (write `version: 1`)")
	} else if i, ok := v.Value.(int); !ok || i != 1 {
		errs.Add(v.Pos, "version", "unsupported version %s; this ioroute reads version 1", v.Text)
	} else {
		f.Version = i
	}
	read := expandEnv(root.Get("server"), &errs)
	before := len(errs)
	f.Server = decodeServer(root.Get("server"), filepath.Dir(name), &errs)
	hideSecrets(errs, before, read)
	nss := root.Get("namespaces")
	if nss == nil {
		errs.Add(root.Pos, "", "missing required field \"namespaces\"")
	} else if nss.Kind != MapNode {
		errs.Add(nss.Pos, nss.Path, "expected a mapping of namespace names to namespaces, got %s", nss.Describe())
	} else {
		for _, e := range nss.Entries {
			f.Namespaces = append(f.Namespaces, parseNamespace(e, &errs))
		}
	}
	checkAdminNamespace(f, root, &errs)
	return f, errs.Err()
}

func parseNamespace(e Entry, errs *Errors) *Namespace {
	ns := &Namespace{Name: e.Key, Pos: e.KeyPos, Path: e.Value.Path}
	if !strings.HasPrefix(e.Key, "/") {
		errs.Add(e.KeyPos, e.Value.Path, "namespace names start with \"/\", as in \"/%s\"", e.Key)
	}
	n := e.Value
	if n.Kind == ScalarNode && n.Value == nil {
		return ns // a namespace with no handlers accepts connections and does nothing
	}
	if !CheckFields(n, NamespaceFields, errs) {
		return ns
	}
	if oe := n.Get("on_error"); oe != nil {
		ns.OnError, ns.OnErrorNode = parseOnError(oe, errs), oe
	}
	on := n.Get("on")
	if on == nil || on.Kind != MapNode {
		return ns
	}
	for _, e := range on.Entries {
		ns.Handlers = append(ns.Handlers, parseHandler(e, errs))
	}
	return ns
}

// parseHandler reads one entry of `on`: a list of steps, or a mapping of HandlerFields.
func parseHandler(e Entry, errs *Errors) *Handler {
	n := e.Value
	h := &Handler{Event: e.Key, Pos: e.KeyPos, Path: n.Path, Body: n}
	if n.Kind != MapNode {
		h.Steps = ParseSteps(n, errs)
		return h
	}
	if !handlerMapping(n) {
		errs.Add(n.Pos, n.Path, "expected a list of steps (each line starting with \"- \", as in - %s: ...) "+
			"or a mapping with do, when and on_error; got a mapping with %q", n.Entries[0].Key, n.Entries[0].Key)
		return h
	}
	CheckFields(n, HandlerFields, errs)
	h.When = n.Get("when")
	if do := n.Get("do"); do != nil {
		h.Steps = ParseSteps(do, errs)
	}
	if oe := n.Get("on_error"); oe != nil {
		h.OnError, h.OnErrorNode = parseOnError(oe, errs), oe
	}
	return h
}

// handlerMapping reports whether mapping n was meant as a handler's mapping form: one of its
// keys is a field of HandlerFields or a likely misspelling of one. Otherwise it is most likely
// a step written without its "- ".
func handlerMapping(n *Node) bool {
	if len(n.Entries) == 0 {
		return true // reported as missing do
	}
	names := fieldNames(HandlerFields)
	for _, e := range n.Entries {
		if _, ok := Lookup(HandlerFields, e.Key); ok || strings.HasPrefix(suggest(e.Key, names), "; did you mean") {
			return true
		}
	}
	return false
}

// parseOnError reads an on_error list. An error inside on_error ends the handler there, so
// on_error has no on_error of its own; a mapping form holding one says so.
func parseOnError(n *Node, errs *Errors) []*Step {
	if n.Kind == MapNode {
		for _, e := range n.Entries {
			if e.Key == "on_error" {
				errs.Add(e.KeyPos, ChildPath(n.Path, e.Key), "on_error inside on_error: an error in on_error is logged and ends the handler there; "+
					"remove the inner on_error, and write on_error as a list of steps")
				return nil
			}
		}
	}
	return parseSteps(n, errs, true)
}

// ParseSteps reads a list of steps: each a mapping with one action key, an optional `when`
// and an optional `for_each`.
func ParseSteps(n *Node, errs *Errors) []*Step { return parseSteps(n, errs, false) }

// parseSteps is ParseSteps; inOnError tells that the steps are an on_error's.
func parseSteps(n *Node, errs *Errors, inOnError bool) []*Step {
	if n.Kind == ScalarNode && n.Value == nil {
		return nil
	}
	if n.Kind != ListNode {
		errs.Add(n.Pos, n.Path, "expected a list of steps (each line starting with \"- \"), got %s", n.Describe())
		return nil
	}
	var steps []*Step
	for _, it := range n.Items {
		if it.Kind != MapNode {
			errs.Add(it.Pos, it.Path, "a step is a mapping with one action, such as `- print: hello`; got %s", it.Describe())
			continue
		}
		st := &Step{Pos: it.Pos, Path: it.Path}
		misplaced := false
		for _, e := range it.Entries {
			switch e.Key {
			case "when":
				st.When = e.Value
				continue
			case "for_each":
				st.ForEach = e.Value
				continue
			case "on_error":
				misplaced = true
				if inOnError {
					errs.Add(e.KeyPos, ChildPath(it.Path, e.Key), "on_error inside on_error: an error in on_error is logged and ends the handler there; remove it")
				} else {
					errs.Add(e.KeyPos, ChildPath(it.Path, e.Key), "on_error is not an action or a key of a step: it goes beside do in a handler "+
						"(message: { do: [...], on_error: [...] }), or beside on in a namespace")
				}
				continue
			}
			if meant := misspeltStepKey(e.Key); meant != "" {
				errs.Add(e.KeyPos, ChildPath(it.Path, e.Key), "unknown field; did you mean %q?", meant)
				continue
			}
			if st.Action != "" {
				errs.Add(e.KeyPos, it.Path, "a step has exactly one action; found %q and %q (make them two steps)", st.Action, e.Key)
				continue
			}
			st.Action, st.ActionPos, st.Body = e.Key, e.KeyPos, e.Value
		}
		if st.Action == "" {
			if !misplaced {
				errs.Add(it.Pos, it.Path, "a step needs an action besides `when` and `for_each`")
			}
			continue
		}
		steps = append(steps, st)
	}
	return steps
}

// misspeltStepKey returns the key of a step other than its action ("when", "for_each") that
// key probably meant, or "" when it is none: such a key would otherwise read as a second
// action.
func misspeltStepKey(key string) string {
	if editDistance(key, "when") <= 1 || swapped(key, "when") {
		return "when"
	}
	folded := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(key))
	if key != "for_each" && (folded == "foreach" || editDistance(folded, "foreach") <= 1) {
		return "for_each"
	}
	return ""
}

// swapped reports whether a is b with two neighbouring letters swapped ("wehn" for "when").
func swapped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

// mebibytes renders a size in bytes as "4 MiB" or "13.4 MiB", rounded up so that a size over
// a limit never reads as the limit.
func mebibytes(n int) string {
	tenths := (n*10 + 1<<20 - 1) >> 20
	return strings.TrimSuffix(fmt.Sprintf("%d.%d", tenths/10, tenths%10), ".0") + " MiB"
}
