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
}

// Handler is the list of steps run for one event of a namespace.
type Handler struct {
	Event string
	Pos   Pos
	Path  string
	Steps []*Step
	// Body is the steps as written, to tell whether a reload changed the handler.
	Body *Node
}

// Step is one action of a handler, with its optional condition.
type Step struct {
	// Action is the action's name, the step's one key other than when.
	Action    string
	ActionPos Pos
	// Body is the value under the action key.
	Body *Node
	// When is the condition, or nil.
	When *Node
	Pos  Pos
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
	{Name: "on", Type: Map, Doc: "Event name to steps. `connect` and `disconnect` are the lifecycle events."},
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
	f.Server = decodeServer(root.Get("server"), filepath.Dir(name), &errs)
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
	on := n.Get("on")
	if on == nil || on.Kind != MapNode {
		return ns
	}
	for _, h := range on.Entries {
		ns.Handlers = append(ns.Handlers, &Handler{
			Event: h.Key,
			Pos:   h.KeyPos,
			Path:  h.Value.Path,
			Steps: ParseSteps(h.Value, errs),
			Body:  h.Value,
		})
	}
	return ns
}

// ParseSteps reads a list of steps: each a mapping with one action key and an optional `when`.
func ParseSteps(n *Node, errs *Errors) []*Step {
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
		for _, e := range it.Entries {
			if e.Key == "when" {
				st.When = e.Value
				continue
			}
			if e.Key != "when" && (editDistance(e.Key, "when") <= 1 || swapped(e.Key, "when")) {
				errs.Add(e.KeyPos, ChildPath(it.Path, e.Key), "unknown field; did you mean \"when\"?")
				continue
			}
			if st.Action != "" {
				errs.Add(e.KeyPos, it.Path, "a step has exactly one action; found %q and %q (make them two steps)", st.Action, e.Key)
				continue
			}
			st.Action, st.ActionPos, st.Body = e.Key, e.KeyPos, e.Value
		}
		if st.Action == "" {
			errs.Add(it.Pos, it.Path, "a step needs an action besides `when`")
			continue
		}
		steps = append(steps, st)
	}
	return steps
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
