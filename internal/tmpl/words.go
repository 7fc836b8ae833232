package tmpl

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Messages name values by their JSON types, which is what config authors and clients write,
// never by the Go types that hold them.

// maxExcerpt is about how much of a value a message shows.
const maxExcerpt = 40

// describe names v's JSON type with an article and shows an excerpt of it: `a string
// "lobby"`, `an object {"a":1}`, `null`.
func describe(v any) string {
	kind := kindOf(v)
	if kind == "null" {
		return kind
	}
	return withArticle(kind) + " " + excerpt(v)
}

// Describe is describe for the actions' messages: `a string "lobby"`, `null`.
func Describe(v any) string { return describe(v) }

// kindOf is v's JSON type: string, number, boolean, object, array or null.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, int, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case []byte:
		return "binary"
	}
	return kindOfType(reflect.TypeOf(v))
}

// kindOfType is the JSON type of values of t; "value" when t says nothing (an expression
// whose type is known only when it runs).
func kindOfType(t reflect.Type) string {
	if t == nil {
		return "null"
	}
	switch k := t.Kind(); {
	case k == reflect.Bool:
		return "boolean"
	case k >= reflect.Int && k <= reflect.Float64:
		if t.String() == "time.Duration" {
			return "duration"
		}
		return "number"
	case k == reflect.String:
		return "string"
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "binary"
	case k == reflect.Slice || k == reflect.Array:
		return "array"
	case k == reflect.Map:
		return "object"
	case k == reflect.Struct:
		if t.String() == "time.Time" {
			return "date"
		}
		return "object"
	case k == reflect.Pointer:
		return kindOfType(t.Elem())
	case k == reflect.Func:
		return "function"
	}
	return "value"
}

// article puts "a" or "an" before a kind; null takes none.
func article(kind string) string {
	switch kind {
	case "null":
		return ""
	case "array", "object":
		return "an"
	}
	return "a"
}

// withArticle is kind with its article: "a number", "an object", "null".
func withArticle(kind string) string {
	if a := article(kind); a != "" {
		return a + " " + kind
	}
	return kind
}

// excerpt writes v as compact JSON, cut with "…" after about maxExcerpt characters; it reads
// no more of v than it shows, however large v is.
func excerpt(v any) string {
	e := excerpter{}
	e.value(v)
	if e.cut {
		return e.b.String() + "…"
	}
	return e.b.String()
}

type excerpter struct {
	b   strings.Builder
	cut bool
}

// write adds s, or as much of it as fits; it reports false once the excerpt is full.
func (e *excerpter) write(s string) bool {
	if e.cut {
		return false
	}
	room := maxExcerpt - e.b.Len()
	if len(s) <= room {
		e.b.WriteString(s)
		return true
	}
	for room > 0 && !utf8.RuneStart(s[room]) {
		room--
	}
	e.b.WriteString(s[:max(room, 0)])
	e.cut = true
	return false
}

func (e *excerpter) value(v any) bool {
	switch v := v.(type) {
	case string:
		if len(v) > maxExcerpt+4 {
			cut := maxExcerpt
			for cut > 0 && !utf8.RuneStart(v[cut]) {
				cut--
			}
			v = v[:cut]
		}
		return e.write(quote(v))
	case []any:
		if !e.write("[") {
			return false
		}
		for i, x := range v {
			if i > 0 && !e.write(",") || !e.value(x) {
				return false
			}
		}
		return e.write("]")
	case map[string]any:
		if !e.write("{") {
			return false
		}
		first := true
		for _, k := range someKeys(v) {
			if !first && !e.write(",") || !e.write(quote(k)+":") || !e.value(v[k]) {
				return false
			}
			first = false
		}
		return e.write("}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return e.write(kindOf(v))
	}
	return e.write(string(b))
}

// someKeys returns m's keys in order when m is small; a large object shows whichever keys
// come first, as sorting them all would cost more than the excerpt is worth.
func someKeys(m map[string]any) []string {
	keys := make([]string, 0, min(len(m), maxExcerpt))
	for k := range m {
		keys = append(keys, k)
		if len(keys) == maxExcerpt {
			break
		}
	}
	if len(keys) == len(m) {
		slices.Sort(keys)
	}
	return keys
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// goTypes matches the Go type names that messages of the expression engine hold.
var goTypes = regexp.MustCompile(`(?:\*|\[\])*(?:map\[[\w. {}\[\]*]+?\](?:\*|\[\])*)?(?:interface \{\}|\bu?int(?:8|16|32|64)?\b|\bfloat(?:32|64)\b|\bbool\b|\bstring\b|\btmpl\.\w+|\btime\.(?:Time|Duration)\b|<nil>)`)

// plainTypes rewrites the Go type names in msg as JSON types.
func plainTypes(msg string) string {
	return goTypes.ReplaceAllStringFunc(msg, goTypeKind)
}

// goTypeKind is the JSON type of the Go type named name, as the engine spells it.
func goTypeKind(name string) string {
	switch {
	case name == "<nil>" || name == "nil":
		return "null"
	case strings.HasPrefix(name, "*"):
		return goTypeKind(name[1:])
	case name == "[]uint8":
		return "binary"
	case strings.HasPrefix(name, "[]"):
		return "array"
	case strings.HasPrefix(name, "map["), name == "tmpl.Env", name == "tmpl.Socket", name == "tmpl.Handshake", name == "tmpl.Failure":
		return "object"
	case name == "string":
		return "string"
	case name == "bool":
		return "boolean"
	case name == "time.Time":
		return "date"
	case name == "time.Duration":
		return "duration"
	case name == "interface {}" || name == "unknown":
		return "value"
	case strings.HasPrefix(name, "int"), strings.HasPrefix(name, "uint"), strings.HasPrefix(name, "float"):
		return "number"
	}
	return "value"
}
