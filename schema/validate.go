package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/ioroute/ioroute/config"
)

// File is the committed schema, the one editors use; a test keeps it equal to Generate().
//
//go:embed ioroute.schema.json
var File []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(File))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	return c.Compile(ID)
})

var printer = message.NewPrinter(language.English)

// Validate checks a parsed config tree against the schema. Each problem is positioned at the
// config node it concerns.
func Validate(root *config.Node) error {
	sch, err := compiled()
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	raw, err := json.Marshal(root.Plain())
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	verr, ok := sch.Validate(inst).(*jsonschema.ValidationError)
	if !ok {
		return nil
	}
	var errs config.Errors
	collect(root, verr, &errs)
	return errs.Err()
}

// collect reports the innermost errors, except that a failed anyOf/oneOf is reported as one.
func collect(root *config.Node, e *jsonschema.ValidationError, errs *config.Errors) {
	switch k := e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		add(root, e, "does not match any allowed form", errs)
		return
	case *kind.PropertyNames:
		// jsonschema v6.0.3 stores this error's location without copying it, so it is
		// overwritten by the time we read it; find the key by name instead
		n := findKey(root, k.Property)
		errs.Add(n.Pos, n.Path, "schema: name %q is not allowed here", k.Property)
		return
	case *kind.Schema, *kind.Reference, *kind.Group:
	default:
		if len(e.Causes) == 0 {
			add(root, e, e.ErrorKind.LocalizedString(printer), errs)
			return
		}
	}
	for _, c := range e.Causes {
		collect(root, c, errs)
	}
}

func add(root *config.Node, e *jsonschema.ValidationError, msg string, errs *config.Errors) {
	n := locate(root, e.InstanceLocation)
	errs.Add(n.Pos, n.Path, "schema: %s", msg)
}

// findKey returns the value of the first mapping key named key, depth first, or root.
func findKey(root *config.Node, key string) *config.Node {
	var walk func(n *config.Node) *config.Node
	walk = func(n *config.Node) *config.Node {
		for _, e := range n.Entries {
			if e.Key == key {
				return e.Value
			}
			if found := walk(e.Value); found != nil {
				return found
			}
		}
		for _, it := range n.Items {
			if found := walk(it); found != nil {
				return found
			}
		}
		return nil
	}
	if n := walk(root); n != nil {
		return n
	}
	return root
}

// locate walks a JSON pointer's tokens down the config tree, stopping at the deepest node found.
func locate(n *config.Node, tokens []string) *config.Node {
	for _, tok := range tokens {
		var next *config.Node
		switch n.Kind {
		case config.MapNode:
			next = n.Get(tok)
		case config.ListNode:
			var i int
			if _, err := fmt.Sscan(tok, &i); err == nil && i >= 0 && i < len(n.Items) {
				next = n.Items[i]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// Covered reports whether an error at path is explained by one of errs: one at the same path,
// at a parent of it, or inside it.
func Covered(path string, errs config.Errors) bool {
	for _, e := range errs {
		if e.Path == "" || within(path, e.Path) || within(e.Path, path) {
			return true
		}
	}
	return false
}

// within reports whether path is parent or equal to, or inside, outer.
func within(path, outer string) bool {
	return path == outer || strings.HasPrefix(path, outer+".") || strings.HasPrefix(path, outer+"[")
}
