package actions

import (
	"strconv"
	"strings"

	"github.com/ioroute/ioroute/config"
)

// An action whose short form takes any value (`ack: <data>`, `send: <data>`) reads a mapping
// as its long form, so `ack: { ok: true }` is an ack with an unknown field "ok", not an ack
// with the object { ok: true }. When no key of the mapping is a field or close to one, the
// object was what the author meant, and the error shows how to write it.

// meantAsObject reports whether body is a mapping none of whose keys is a field of fields or
// a likely misspelling of one.
func meantAsObject(body *config.Node, fields []config.Field) bool {
	if body.Kind != config.MapNode || len(body.Entries) == 0 {
		return false
	}
	names := fieldNames(fields)
	for _, e := range body.Entries {
		if _, known := config.Lookup(fields, e.Key); known {
			return false
		}
		if strings.HasPrefix(config.Suggest(e.Key, names), "; did you mean") {
			return false
		}
	}
	return true
}

func fieldNames(fields []config.Field) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}

// maxFlow is how long the object may be written in full in an error; a longer one is cut.
const maxFlow = 80

// flowObject writes n in YAML's flow style, as one line: { ok: true, tags: [a, b] }.
func flowObject(n *config.Node) string {
	s := flow(n)
	if len(s) <= maxFlow {
		return s
	}
	return "{ " + flowScalar(n.Entries[0].Key, true) + ": ... }"
}

func flow(n *config.Node) string {
	switch n.Kind {
	case config.MapNode:
		if len(n.Entries) == 0 {
			return "{}"
		}
		parts := make([]string, len(n.Entries))
		for i, e := range n.Entries {
			parts[i] = flowScalar(e.Key, true) + ": " + flow(e.Value)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case config.ListNode:
		parts := make([]string, len(n.Items))
		for i, it := range n.Items {
			parts[i] = flow(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	_, isString := n.Value.(string)
	return flowScalar(n.Text, isString)
}

// flowScalar writes a scalar's text, double-quoted when flow style would read it otherwise
// (or, for a string, as another type).
func flowScalar(text string, isString bool) string {
	if text == "" {
		if isString {
			return `""`
		}
		return "null"
	}
	if strings.ContainsAny(text, ":{}[],#&*!|>'\"%@`\n\t\\") || strings.TrimSpace(text) != text ||
		(isString && !readsAsString(text)) {
		return strconv.Quote(text)
	}
	return text
}

// readsAsString reports whether YAML reads plain text as a string, not a number, bool or null.
func readsAsString(text string) bool {
	switch strings.ToLower(text) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", ".nan", ".inf", "-.inf", "+.inf":
		return false
	}
	_, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	return err != nil
}
