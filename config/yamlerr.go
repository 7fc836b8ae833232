package config

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// lineOf returns the 1-based number of the first line containing sub, or 0.
func lineOf(lines []string, sub string) int {
	for i, l := range lines {
		if strings.Contains(l, sub) {
			return i + 1
		}
	}
	return 0
}

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
		if am := unknownAnchor.FindStringSubmatch(m); am != nil && line == 0 {
			line = lineOf(lines, "*"+am[1])
		}
		hint, at := quoteHint(lines, line)
		if at > 0 {
			line = at // the line holding the unquoted expression, not where YAML noticed
		}
		if line == 0 {
			// YAML names no line for some errors, such as the end of the file coming too soon
			line = len(lines)
			if strings.HasSuffix(string(src), "\n") && line > 1 {
				line--
			}
		}
		errs.Add(Pos{File: name, Line: line}, "", "YAML: %s%s", m, hint)
	}
	return errs.Err()
}

// quoteHint looks around the reported line (YAML reports the line where the enclosing
// mapping or the failing token starts, which may be before or after the cause) for an
// unquoted expression, and suggests the quotes.
func quoteHint(lines []string, line int) (hint string, at int) {
	for _, l := range []int{line, line - 1, line + 1, line + 2, line + 3} {
		if l < 1 || l > len(lines) {
			continue
		}
		text := lines[l-1]
		key, val, ok := splitKeyValue(text)
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(val, "{") && strings.Contains(val, "${{"):
			k, expr := flowExpr(val)
			return "; an expression inside a { } mapping must be quoted: " + k + ": '" + expr + "'", l
		case strings.Contains(val, "${{") && !startsQuoted(val):
			return "; an expression holding \": \" must be quoted: " + key + ": '" + strings.ReplaceAll(val, "'", "''") + "'", l
		case key == "when" && val != "" && strings.ContainsRune("!\"'@*[{&|%`>", rune(val[0])) && !startsQuotedWhole(val):
			return "; YAML reads a `when` starting with " + strconv.Quote(val[:1]) + " as YAML syntax; quote the whole expression: when: '" + strings.ReplaceAll(val, "'", "''") + "'", l
		case key == "when" && strings.Contains(val, ": "):
			return "; a `when` holding \": \" must be quoted: when: '" + strings.ReplaceAll(val, "'", "''") + "'", l
		}
	}
	return "", 0
}

// flowExpr finds the first ${{ }} in a flow mapping and the key it belongs to.
func flowExpr(val string) (key, expr string) {
	i := strings.Index(val, "${{")
	end := strings.Index(val[i:], "}}")
	expr = val[i:]
	if end >= 0 {
		expr = val[i : i+end+2]
	}
	before := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val[:i]), ":"))
	if j := strings.LastIndexAny(before, "{,"); j >= 0 {
		before = before[j+1:]
	}
	return strings.TrimSpace(before), expr
}

// splitKeyValue splits "  - key: value" into key and value.
func splitKeyValue(text string) (key, val string, ok bool) {
	t := strings.TrimSpace(text)
	t = strings.TrimSpace(strings.TrimPrefix(t, "- "))
	i := strings.Index(t, ":")
	if i <= 0 || strings.ContainsAny(t[:i], " {[") {
		return "", "", false
	}
	return strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+1:]), true
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
