package config

import (
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Server settings may read environment variables, written ${{ env.NAME }} (or
// ${{ env["NAME"] }}), so that a secret such as server.api.key need not sit in the file. The
// variables are read once, when the file is loaded; nothing else may be evaluated in a setting,
// as there is no event to evaluate it for. The values read are kept out of every message: an
// error at a setting that read one names the variable instead.

// LookupEnv is how everything read at load reads the environment: server settings and the
// origin of a call's url. It is the process's environment; a program that loads a config for
// another environment (`ioroute test`, with a test's env) may replace it while it loads.
var LookupEnv = os.LookupEnv

// envRef matches the inside of a ${{ }} that reads one environment variable.
var envRef = regexp.MustCompile(`^env\.([A-Za-z_][A-Za-z0-9_]*)$|^env\[\s*"([^"\\]+)"\s*\]$`)

// EnvName returns the variable an expression (the inside of ${{ }}, trimmed) reads, when it
// reads nothing but one environment variable.
func EnvName(expr string) (string, bool) {
	m := envRef.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil {
		return "", false
	}
	if m[1] != "" {
		return m[1], true
	}
	return m[2], true
}

// secret is a value read from the environment into a setting.
type secret struct {
	name, value string
	// path is the setting that holds it: only errors there can show it.
	path string
}

// expandEnv replaces each ${{ env.NAME }} in the server section n (nil for none) with the
// variable's value, in place, and returns the values it read. A value that is exactly one
// reference takes the type the setting declares (`max_payload: ${{ env.MAX_PAYLOAD }}` is
// an integer).
func expandEnv(n *Node, errs *Errors) []secret {
	if n == nil {
		return nil
	}
	var read []secret
	expandFields(n, ServerFields, errs, &read)
	return read
}

// expandFields expands the entries of mapping n, each by the type its field declares.
func expandFields(n *Node, fields []Field, errs *Errors, read *[]secret) {
	if n.Kind != MapNode {
		return
	}
	for _, e := range n.Entries {
		f, ok := Lookup(fields, e.Key)
		if !ok {
			continue // CheckFields reports it
		}
		expandField(e.Value, f, errs, read)
	}
}

// expandField expands one setting's value.
func expandField(v *Node, f Field, errs *Errors, read *[]secret) {
	switch {
	case f.Type == Object:
		expandFields(v, f.Fields, errs, read)
	case f.Type == Map && f.Fields != nil && v.Kind == MapNode:
		for _, e := range v.Entries {
			expandFields(e.Value, f.Fields, errs, read)
		}
	case v.Kind == ListNode:
		for _, it := range v.Items {
			expandScalar(it, String, errs, read)
		}
	case f.Type == Value && v.Kind == MapNode: // server.admin.auth
		for _, e := range v.Entries {
			expandScalar(e.Value, String, errs, read)
		}
	default:
		expandScalar(v, f.Type, errs, read)
	}
}

// expandScalar expands the references of one string scalar, typed as t when the scalar is
// exactly one reference.
func expandScalar(v *Node, t Type, errs *Errors, read *[]secret) {
	s, ok := v.Value.(string)
	if !ok || v.Kind != ScalarNode || !strings.Contains(s, "${{") {
		return
	}
	var out strings.Builder
	rest, whole := s, false
	for {
		i := strings.Index(rest, "${{")
		if i < 0 {
			out.WriteString(rest)
			break
		}
		out.WriteString(rest[:i])
		end := strings.Index(rest[i:], "}}")
		if end < 0 {
			errs.Add(v.Pos, v.Path, "unterminated ${{: add the closing }}")
			return
		}
		inner := rest[i+3 : i+end]
		name, isEnv := EnvName(inner)
		if !isEnv {
			errs.Add(v.Pos, v.Path, "server settings may read environment variables only, as ${{ env.NAME }}; "+
				"${{ %s }} is evaluated for events, and a setting is read once, at load", strings.TrimSpace(inner))
			return
		}
		val, set := LookupEnv(name)
		if !set {
			errs.Add(v.Pos, v.Path, "environment variable %s is not set", name)
			return
		}
		*read = append(*read, secret{name: name, value: val, path: v.Path})
		whole = i == 0 && i+end+2 == len(rest) && out.Len() == 0
		out.WriteString(val)
		rest = rest[i+end+2:]
	}
	v.Value, v.Text = out.String(), out.String()
	if whole {
		v.Value = typed(out.String(), t)
	}
}

// typed reads an environment value as a setting of type t would be written. A value that does
// not read as t stays a string, which the setting's own check then refuses by type.
func typed(s string, t Type) any {
	switch t {
	case Int:
		if i, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return i
		}
	case Bool:
		switch strings.TrimSpace(s) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return s
}

// hideSecrets replaces, in the messages of errs from index from on, every value read from the
// environment with the reference it came from, so that no message shows it. Only the errors
// at or under the setting that read a value are rewritten: elsewhere a short value (a port, a
// count) could be a mere coincidence of the text.
func hideSecrets(errs Errors, from int, read []secret) {
	for _, e := range errs[from:] {
		for _, s := range read {
			if s.value == "" || (e.Path != s.path && !strings.HasPrefix(e.Path, s.path+".") && !strings.HasPrefix(e.Path, s.path+"[")) {
				continue
			}
			ref := "${{ env." + s.name + " }}"
			e.Msg = strings.ReplaceAll(e.Msg, s.value, ref)
			if q := strconv.Quote(s.value); q[1:len(q)-1] != s.value {
				e.Msg = strings.ReplaceAll(e.Msg, q[1:len(q)-1], ref)
			}
		}
	}
}
