package config

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a YAML syntax error into positioned Errors, adding a hint where an
// unquoted expression is the likely cause.
func yamlError(name string, src []byte, err error) error {
	var errs Errors
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	lines := strings.Split(string(src), "\n")
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		line := 0
		if sm := yamlLine.FindStringSubmatch("yaml: " + m); sm != nil {
			line, _ = strconv.Atoi(sm[1])
			m = sm[2]
		} else if strings.HasPrefix(m, "line ") {
			if i := strings.Index(m, ": "); i > 0 {
				line, _ = strconv.Atoi(strings.TrimPrefix(m[:i], "line "))
				m = m[i+2:]
			}
		}
		pos := Pos{File: name, Line: line}
		errs.Add(pos, "", "YAML: %s%s", m, quoteHint(lines, line))
	}
	return errs.Err()
}

// quoteHint looks at the reported line and the one before it (YAML often reports the
// line after the cause) for an unquoted expression, and suggests the quotes.
func quoteHint(lines []string, line int) string {
	for _, l := range []int{line, line - 1} {
		if l < 1 || l > len(lines) {
			continue
		}
		text := lines[l-1]
		key, val, ok := splitKeyValue(text)
		if !ok {
			continue
		}
		switch {
		case strings.Contains(val, "${{") && !startsQuoted(val):
			return "; an expression holding \": \" or inside a { } mapping must be quoted: " + key + ": '" + val + "'"
		case key == "when" && val != "" && strings.ContainsRune("!\"'@*[{&|%`", rune(val[0])) && !startsQuotedWhole(val):
			return "; YAML reads a `when` starting with " + strconv.Quote(val[:1]) + " as YAML syntax; quote the whole expression: when: '" + strings.ReplaceAll(val, "'", "''") + "'"
		case key == "when" && strings.Contains(val, ": "):
			return "; a `when` holding \": \" must be quoted: when: '" + strings.ReplaceAll(val, "'", "''") + "'"
		}
	}
	return ""
}

// splitKeyValue splits "  - key: value" into key and value.
func splitKeyValue(text string) (key, val string, ok bool) {
	t := strings.TrimSpace(text)
	t = strings.TrimSpace(strings.TrimPrefix(t, "- "))
	i := strings.Index(t, ":")
	if i <= 0 {
		return "", "", false
	}
	key = strings.TrimSpace(t[:i])
	if strings.ContainsAny(key, " {[") {
		// a flow mapping: look for the expression anywhere on the line
		if j := strings.Index(t, "${{"); j >= 0 {
			return "key", strings.TrimSpace(t[j:]), true
		}
		return "", "", false
	}
	return key, strings.TrimSpace(t[i+1:]), true
}

func startsQuoted(v string) bool {
	return strings.HasPrefix(v, "'") || strings.HasPrefix(v, "\"")
}

// startsQuotedWhole reports whether v is one quoted scalar (not, say, "a" == data).
func startsQuotedWhole(v string) bool {
	if len(v) < 2 || !startsQuoted(v) {
		return false
	}
	q := v[0]
	return strings.IndexByte(v[1:], q) == len(v)-2
}
