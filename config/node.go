package config

import (
	"encoding/base64"
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
	// Value is the typed scalar: string, int, float64, bool, []byte (a !!binary value) or nil.
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
	case []byte:
		return "binary"
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

// The limits of one config file. A config is written by hand or generated for one server, so
// even a large one stays far below them; they keep a mistaken or hostile file from taking the
// loader's memory and time. README's "Limits of a config file" states them.
const (
	// MaxFileSize is the size of the largest config file, in bytes.
	MaxFileSize = 1 << 20
	// MaxValues bounds the values (mappings, lists and scalars; keys not counted) of a config.
	// Each use of an alias counts as a copy of what it refers to, so that aliases of aliases
	// ("billion laughs") cannot exhaust memory either.
	MaxValues = 100_000
)

// converter turns a yaml.Node tree into Nodes.
type converter struct {
	file   string
	errs   *Errors
	values int
	// expanding holds the aliases being expanded, outermost first.
	expanding []expansion
	// fatal is the error for an alias that expands past MaxValues or forever; once it is set,
	// nothing more is converted, since every later error would follow from the values left out.
	fatal *Error
}

// expansion is an alias being expanded and the path where it is used.
type expansion struct {
	alias *yaml.Node
	path  string
}

// fromYAML converts a yaml.Node tree to Nodes, reporting what YAML accepts but ioroute cannot
// read. When an alias expands past MaxValues or forever, it returns that error alone instead.
func fromYAML(file string, y *yaml.Node, path string, errs *Errors) (*Node, *Error) {
	c := &converter{file: file, errs: errs}
	n := c.convert(y, path)
	return n, c.fatal
}

// firstPastLimit returns the first value written in y beyond MaxValues, counting each alias
// as one value, or nil when y is within the limit.
func firstPastLimit(y *yaml.Node, count *int) *yaml.Node {
	if y.Kind != yaml.DocumentNode {
		if *count++; *count > MaxValues {
			return y
		}
	}
	start, step := 0, 1
	if y.Kind == yaml.MappingNode {
		start, step = 1, 2 // values only
	}
	for i := start; i < len(y.Content); i += step {
		if past := firstPastLimit(y.Content[i], count); past != nil {
			return past
		}
	}
	return nil
}

func (c *converter) convert(y *yaml.Node, path string) *Node {
	if c.fatal != nil {
		return nil
	}
	file, errs := c.file, c.errs
	pos := Pos{File: file, Line: y.Line, Col: y.Column}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: MapNode, Pos: pos, Path: path}
		}
		return c.convert(y.Content[0], path)
	case yaml.AliasNode:
		for _, e := range c.expanding {
			if e.alias.Alias == y.Alias {
				c.fatal = &Error{Pos: pos, Path: path, Msg: fmt.Sprintf("alias *%s refers to a value that contains it, "+
					"so it would expand forever; refer to a value outside it", y.Value)}
				return nil
			}
		}
		c.expanding = append(c.expanding, expansion{y, path})
		defer func() { c.expanding = c.expanding[:len(c.expanding)-1] }()
		return c.convert(y.Alias, path)
	}
	if c.values++; c.values > MaxValues {
		if len(c.expanding) == 0 { // Parse counts the values written first, so this is its check
			c.fatal = &Error{Pos: pos, Path: path, Msg: fmt.Sprintf("the config has more than %d values, the most one config may hold; make it smaller", MaxValues)}
			return nil
		}
		e := c.expanding[0] // the alias written in the file, which the others expand inside
		c.fatal = &Error{Pos: Pos{File: file, Line: e.alias.Line, Col: e.alias.Column}, Path: e.path,
			Msg: fmt.Sprintf("alias *%s takes the config past %d values, the most one config may hold: each use of an alias "+
				"copies what it refers to; refer to smaller values, or fewer times", e.alias.Value, MaxValues)}
		return nil
	}
	switch y.Kind {
	case yaml.MappingNode:
		n := &Node{Kind: MapNode, Pos: pos, Path: path, Entries: make([]Entry, 0, len(y.Content)/2)}
		var seen map[string]bool // for long mappings; short ones are searched
		if len(y.Content) > 16 {
			seen = make(map[string]bool, len(y.Content)/2)
		}
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
			if seen != nil && seen[k.Value] || seen == nil && n.Get(k.Value) != nil {
				errs.Add(kpos, ChildPath(path, k.Value), "duplicate key %q", k.Value)
				continue
			}
			if seen != nil {
				seen[k.Value] = true
			}
			n.Entries = append(n.Entries, Entry{Key: k.Value, KeyPos: kpos, Value: c.convert(v, ChildPath(path, k.Value))})
		}
		return n
	case yaml.SequenceNode:
		n := &Node{Kind: ListNode, Pos: pos, Path: path, Items: make([]*Node, 0, len(y.Content))}
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
	case "!!str", "!!timestamp":
		return y.Value
	case "!!binary":
		// base64, which YAML lets span lines: the value is the bytes it encodes, sent as a
		// binary attachment
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(y.Value), ""))
		if err == nil {
			return b
		}
		errs.Add(pos, path, "a !!binary value is base64, such as !!binary aGVsbG8=; this is not: %v", err)
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
