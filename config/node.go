package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kind tells what a Node holds.
type Kind int

// The kinds of Node.
const (
	ScalarNode Kind = iota
	MapNode
	ListNode
)

// String names the kind as a config author would.
func (k Kind) String() string {
	switch k {
	case MapNode:
		return "mapping"
	case ListNode:
		return "list"
	default:
		return "scalar"
	}
}

// Node is a positioned value of the config tree: a scalar, a mapping or a list.
// It carries no YAML types, so later stages never see how the file was read.
type Node struct {
	Kind Kind
	// Value is the typed scalar: string, int, float64, bool or nil.
	Value any
	// Text is the scalar's source text once unquoted (for strings, the string itself).
	Text string
	// Quoted is the number of source columns before Text starts (1 for a quoted scalar).
	Quoted int
	// Block is true for multi-line block scalars, whose columns cannot be mapped exactly.
	Block bool
	// Comment is a trailing comment YAML read on the same line, if any.
	Comment string
	// Invalid marks a value already reported as unreadable, so later stages skip it.
	Invalid bool
	Pos     Pos
	Path    string
	Entries []Entry // for MapNode, in file order
	Items   []*Node // for ListNode
}

// Entry is one key of a mapping with its value.
type Entry struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// Get returns the value under key of a mapping, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != MapNode {
		return nil
	}
	for _, e := range n.Entries {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// Describe names what the node holds, for error messages.
func (n *Node) Describe() string {
	if n.Kind != ScalarNode {
		return n.Kind.String()
	}
	switch n.Value.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case int:
		return "integer"
	case float64:
		return "number"
	}
	return "scalar"
}

// Plain converts the node to plain Go values: map[string]any, []any and scalars.
func (n *Node) Plain() any {
	switch n.Kind {
	case MapNode:
		m := make(map[string]any, len(n.Entries))
		for _, e := range n.Entries {
			m[e.Key] = e.Value.Plain()
		}
		return m
	case ListNode:
		l := make([]any, len(n.Items))
		for i, it := range n.Items {
			l[i] = it.Plain()
		}
		return l
	}
	return n.Value
}

// ChildPath joins a mapping key onto a path.
func ChildPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// IndexPath joins a list index onto a path.
func IndexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// maxNodes bounds the nodes one config may expand to, aliases included, so that aliases of
// aliases ("billion laughs") cannot exhaust memory.
const maxNodes = 100_000

// converter turns a yaml.Node tree into Nodes.
type converter struct {
	file      string
	errs      *Errors
	expanding map[*yaml.Node]bool // aliases being expanded, to refuse recursive ones
	nodes     int
	tooBig    bool
}

// fromYAML converts a yaml.Node tree to Nodes, reporting what YAML accepts but ioroute cannot read.
func fromYAML(file string, y *yaml.Node, path string, errs *Errors) *Node {
	c := &converter{file: file, errs: errs, expanding: map[*yaml.Node]bool{}}
	return c.convert(y, path)
}

func (c *converter) convert(y *yaml.Node, path string) *Node {
	file, errs := c.file, c.errs
	pos := Pos{File: file, Line: y.Line, Col: y.Column}
	if c.nodes++; c.nodes > maxNodes {
		if !c.tooBig {
			c.tooBig = true
			errs.Add(pos, path, "the config expands to more than %d values (aliases included)", maxNodes)
		}
		return &Node{Kind: ScalarNode, Pos: pos, Path: path, Invalid: true}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: MapNode, Pos: pos, Path: path}
		}
		return c.convert(y.Content[0], path)
	case yaml.AliasNode:
		if c.expanding[y.Alias] {
			errs.Add(pos, path, "alias *%s refers to a value that contains it", y.Value)
			return &Node{Kind: ScalarNode, Pos: pos, Path: path, Invalid: true}
		}
		c.expanding[y.Alias] = true
		defer delete(c.expanding, y.Alias)
		return c.convert(y.Alias, path)
	case yaml.MappingNode:
		n := &Node{Kind: MapNode, Pos: pos, Path: path}
		seen := map[string]bool{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			kpos := Pos{File: file, Line: k.Line, Col: k.Column}
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if k.Tag == "!!merge" {
				errs.Add(kpos, path, "YAML merge keys (<<) are not supported")
				continue
			}
			if k.Kind != yaml.ScalarNode {
				errs.Add(kpos, path, "mapping keys must be strings, not a %s", kindName(k.Kind))
				continue
			}
			if seen[k.Value] {
				errs.Add(kpos, ChildPath(path, k.Value), "duplicate key %q", k.Value)
				continue
			}
			seen[k.Value] = true
			n.Entries = append(n.Entries, Entry{Key: k.Value, KeyPos: kpos, Value: c.convert(v, ChildPath(path, k.Value))})
		}
		return n
	case yaml.SequenceNode:
		n := &Node{Kind: ListNode, Pos: pos, Path: path}
		for i, it := range y.Content {
			n.Items = append(n.Items, c.convert(it, IndexPath(path, i)))
		}
		return n
	}
	n := &Node{Kind: ScalarNode, Pos: pos, Path: path, Text: y.Value, Comment: strings.TrimSpace(strings.TrimPrefix(y.LineComment, "#"))}
	switch y.Style {
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		n.Quoted = 1
	case yaml.LiteralStyle, yaml.FoldedStyle:
		n.Block = true
	}
	before := len(*errs)
	n.Value = scalarValue(y, pos, path, errs)
	n.Invalid = len(*errs) > before
	return n
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "scalar"
}

// scalarValue resolves a YAML scalar to a Go value using the YAML 1.2 core schema.
func scalarValue(y *yaml.Node, pos Pos, path string, errs *Errors) any {
	tag := y.ShortTag()
	switch tag {
	case "!!str", "!!binary", "!!timestamp":
		return y.Value
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		var i int
		if err := y.Decode(&i); err == nil {
			return i
		}
		var f float64
		if err := y.Decode(&f); err == nil {
			return f
		}
	case "!!float":
		var f float64
		if err := y.Decode(&f); err == nil {
			return f
		}
	default:
		if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
			errs.Add(pos, path, "YAML read %q as a tag (a value may not start with \"!\" unquoted); quote the whole value: '%s%s'",
				y.Tag, y.Tag, spaceBefore(y.Value))
			return y.Value
		}
	}
	errs.Add(pos, path, "cannot read %q as %s", y.Value, strings.TrimPrefix(tag, "!!"))
	return y.Value
}

func spaceBefore(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// String renders a node briefly, for messages.
func (n *Node) String() string {
	if n.Kind == ScalarNode {
		return fmt.Sprintf("%v", n.Value)
	}
	return n.Kind.String()
}
