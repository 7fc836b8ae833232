package config

import (
	"sort"
	"strings"
	"time"
)

// CheckFields checks a mapping against its declared fields: unknown keys, missing required keys,
// and the types of literal fields (template fields are checked when they are compiled).
// It reports into errs and returns false when anything was wrong.
func CheckFields(n *Node, fields []Field, errs *Errors) bool {
	before := len(*errs)
	if n.Kind != MapNode {
		errs.Add(n.Pos, n.Path, "expected a mapping, got %s", n.Describe())
		return false
	}
	misspelt := map[string]bool{} // fields that an unknown key probably meant
	for _, e := range n.Entries {
		f, ok := Lookup(fields, e.Key)
		if !ok {
			hint := suggest(e.Key, fieldNames(fields))
			if meant, found := strings.CutPrefix(hint, "; did you mean \""); found {
				misspelt[strings.TrimSuffix(meant, "\"?")] = true
			}
			errs.Add(e.KeyPos, ChildPath(n.Path, e.Key), "unknown field%s", hint)
			continue
		}
		CheckType(e.Value, f, errs)
	}
	for _, f := range fields {
		if f.Required && n.Get(f.Name) == nil && !misspelt[f.Name] {
			errs.Add(n.Pos, n.Path, "missing required field %q", f.Name)
		}
	}
	return len(*errs) == before
}

// CheckType checks a value against a literal field type.
func CheckType(v *Node, f Field, errs *Errors) {
	switch f.Type {
	case String:
		if _, ok := v.Value.(string); !ok || v.Kind != ScalarNode {
			errs.Add(v.Pos, v.Path, "expected a string, got %s", v.Describe())
		}
	case Bool:
		if _, ok := v.Value.(bool); !ok || v.Kind != ScalarNode {
			errs.Add(v.Pos, v.Path, "expected true or false, got %s", v.Describe())
		}
	case Int:
		if i, ok := v.Value.(int); !ok || v.Kind != ScalarNode {
			errs.Add(v.Pos, v.Path, "expected an integer, got %s", v.Describe())
		} else if i < 0 {
			errs.Add(v.Pos, v.Path, "must not be negative")
		}
	case Duration:
		s, ok := v.Value.(string)
		if !ok || v.Kind != ScalarNode {
			errs.Add(v.Pos, v.Path, "expected a duration such as \"300ms\" or \"25s\", got %s", v.Describe())
			return
		}
		if d, err := time.ParseDuration(s); err != nil {
			errs.Add(v.Pos, v.Path, "bad duration %q: use a number with a unit, such as \"300ms\", \"25s\" or \"1m\"", s)
		} else if d < 0 {
			errs.Add(v.Pos, v.Path, "duration must not be negative")
		}
	case StringList:
		if v.Kind != ListNode {
			errs.Add(v.Pos, v.Path, "expected a list of strings, got %s", v.Describe())
			return
		}
		for _, it := range v.Items {
			if _, ok := it.Value.(string); !ok || it.Kind != ScalarNode {
				errs.Add(it.Pos, it.Path, "expected a string, got %s", it.Describe())
			}
		}
	case Object:
		CheckFields(v, f.Fields, errs)
	case ValueMap:
		if v.Kind != MapNode {
			errs.Add(v.Pos, v.Path, "expected a mapping of names to values, got %s", v.Describe())
		}
	case Map:
		if v.Kind != MapNode && v.Value != nil {
			errs.Add(v.Pos, v.Path, "expected a mapping, got %s", v.Describe())
			return
		}
		if f.Fields != nil {
			for _, e := range v.Entries {
				CheckFields(e.Value, f.Fields, errs)
			}
		}
	}
}

// Duration returns the node's duration; it must have passed CheckType.
func (n *Node) Duration() time.Duration {
	d, _ := time.ParseDuration(n.Text)
	return d
}

func fieldNames(fields []Field) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}

// suggest returns `; did you mean "x"?` for the closest known name, or the list of known names.
func suggest(got string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		if d := editDistance(got, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && bestD <= max(1, len(got)/3) {
		return "; did you mean \"" + best + "\"?"
	}
	if len(known) == 0 {
		return ""
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return " (known: " + strings.Join(sorted, ", ") + ")"
}

// Suggest is suggest for other packages: a hint naming the closest known name.
func Suggest(got string, known []string) string { return suggest(got, known) }

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
