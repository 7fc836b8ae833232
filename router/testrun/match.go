package testrun

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
)

// normal converts a value to the form values are compared in: every number a float64 (YAML
// reads 1 as an int, JSON as a float64), maps and lists of normal values.
func normal(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = normal(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normal(e)
		}
		return out
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	case float32:
		return float64(v)
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return v
}

// equal reports whether two values are the same once normal.
func equal(want, got any) bool {
	return reflect.DeepEqual(normal(want), normal(got))
}

// contains reports whether got contains want: a mapping has at least want's keys, each
// containing want's value; a list has, for each item of want, an item containing it; a
// string has want's text in it; anything else is equal.
func contains(want, got any) bool {
	want, got = normal(want), normal(got)
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !contains(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok {
			return false
		}
		for _, wv := range w {
			found := false
			for _, gv := range g {
				if contains(wv, gv) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case string:
		g, ok := got.(string)
		return ok && strings.Contains(g, w)
	case []byte:
		g, ok := got.([]byte)
		return ok && bytes.Contains(g, w)
	}
	return reflect.DeepEqual(want, got)
}

// render shows a value as indented JSON, binary data as !!binary base64, for diffs.
func render(v any) string {
	b, err := json.MarshalIndent(forJSON(normal(v)), "", "  ")
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// compact shows a value as one line of JSON.
func compact(v any) string {
	b, err := json.Marshal(forJSON(normal(v)))
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func forJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = forJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = forJSON(e)
		}
		return out
	case []byte:
		return "!!binary " + base64.StdEncoding.EncodeToString(v)
	}
	return v
}
