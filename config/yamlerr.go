package config

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// parserProblems are the errors of yaml.v3's parser, which it reports at the line where the
// enclosing block or flow collection starts, counted from 0, rather than at the token it could
// not accept.
var parserProblems = map[string]bool{
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected node content":     true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected <document start>": true,
}

// lineOf returns the 1-based number of the first line containing sub, or 0.
func lineOf(lines []string, sub string) int {
	for i, l := range lines {
		if strings.Contains(l, sub) {
			return i + 1
		}
	}
	return 0
}

// yamlError turns a YAML syntax error into positioned Errors at the line at fault, explaining
// the usual causes: a tab or a misaligned key in the indentation, an unquoted expression.
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
		if at, col, msg := tabProblem(lines, line, m); at > 0 {
			errs.Add(Pos{File: name, Line: at, Col: col}, "", "YAML: %s", msg)
			continue
		}
		if parserProblems[m] && len(msgs) == 1 {
			if at := faultLine(src, max(line, 1), err.Error()); at > 0 {
				line = at
			}
			if m == "did not find expected key" || m == "did not find expected '-' indicator" {
				if col, msg := indentProblem(lines, line, m); col > 0 {
					errs.Add(Pos{File: name, Line: line, Col: col}, "", "YAML: %s", msg)
					continue
				}
			}
		}
		if am := unknownAnchor.FindStringSubmatch(m); am != nil && line == 0 {
			line = lineOf(lines, "*"+am[1])
		}
		hint, at := quoteHint(lines, line)
		if at > 0 {
			line = at // the line holding the unquoted expression, not where YAML noticed
		} else if m == "mapping values are not allowed in this context" {
			if col, msg := indentProblem(lines, line, m); col > 0 {
				errs.Add(Pos{File: name, Line: line, Col: col}, "", "YAML: %s", msg)
				continue
			}
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

// faultLine returns the first line from which on the source, cut after that line, fails with
// the same error as the whole source: the line holding the token the parser could not accept.
// Lines before from are known to read. It returns 0 if no cut fails alike.
func faultLine(src []byte, from int, want string) int {
	var ends []int // ends[k-1] is the offset just after line k
	for i, b := range src {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(src) {
		ends = append(ends, len(src))
	}
	n := len(ends)
	if from > n {
		return 0
	}
	fails := func(k int) bool {
		var doc yaml.Node
		err := yaml.NewDecoder(bytes.NewReader(src[:ends[k-1]])).Decode(&doc)
		return err != nil && err.Error() == want
	}
	// the fault is usually a few lines below the block YAML names: gallop, then bisect
	lo, hi := from-1, from
	for step := 1; !fails(hi); step *= 2 {
		if hi == n {
			return 0
		}
		lo, hi = hi, min(hi+step, n)
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// tabProblem finds the tab behind a YAML error, on the line YAML names or, for errors YAML
// reports at the start of the value the tab interrupts, below it. It returns the tab's line and
// column and what to do, or a line of 0.
func tabProblem(lines []string, line int, m string) (at, col int, msg string) {
	switch m {
	case "found character that cannot start any token":
		// YAML names no line for the first one
		l := max(line, 1)
		if l > len(lines) {
			return 0, 0, ""
		}
		text := lines[l-1]
		i := strings.IndexByte(text, '\t')
		if i < 0 {
			return 0, 0, ""
		}
		col := utf8.RuneCountInString(text[:i]) + 1
		before := strings.TrimRight(text[:i], " ")
		switch {
		case before == "":
			return l, col, "a tab is used for indentation; YAML indents with spaces: replace the tab with spaces"
		case strings.HasSuffix(before, "-") || strings.HasSuffix(before, ":") || strings.HasSuffix(before, "?"):
			return l, col, fmt.Sprintf("a tab follows %q; YAML needs a space there: replace the tab with a space", before[len(before)-1:])
		}
	case "found a tab character that violates indentation", "found a tab character where an indentation space is expected":
		for l := max(line, 1); l <= len(lines); l++ {
			text := lines[l-1]
			if i := strings.IndexByte(text, '\t'); i >= 0 && strings.TrimLeft(text[:i], " ") == "" {
				return l, i + 1, "a tab is used for indentation; YAML indents with spaces: replace the tab with spaces"
			}
		}
	}
	return 0, 0, ""
}

// level is a column where a block of the source opens: at a key or at a list item's "-".
type level struct {
	col  int // 0-based
	line int
	dash bool
	key  string
}

func (l level) String() string {
	if l.dash {
		return fmt.Sprintf("the \"-\" on line %d", l.line)
	}
	return fmt.Sprintf("%q on line %d", l.key, l.line)
}

// levelsOf returns the blocks a line opens, innermost first: the key after any "- ", then
// each "-" from right to left. Other lines (continued values, comments) open none.
func levelsOf(text string, line int) []level {
	i := len(text) - len(strings.TrimLeft(text, " "))
	var dashes []int
	for rest := text[i:]; rest == "-" || strings.HasPrefix(rest, "- "); rest = text[i:] {
		dashes = append(dashes, i)
		i++
		for i < len(text) && text[i] == ' ' {
			i++
		}
	}
	var out []level
	if key, _, ok := splitKeyValue(text[i:]); ok && !strings.HasPrefix(key, "#") {
		out = append(out, level{col: i, line: line, key: key})
	}
	for j := len(dashes) - 1; j >= 0; j-- {
		out = append(out, level{col: dashes[j], line: line, dash: true})
	}
	return out
}

// indentProblem explains the YAML error m on line by a key or "-" indented into no block above
// it: one that lines up with none of the blocks open above it ("did not find expected key"), a
// key that lines up with a list's "-" ("did not find expected '-' indicator"), or a key indented
// under a key that already has a value ("mapping values are not allowed in this context"). It
// returns the offending column, 1-based, and what to do, or a column of 0 when the indentation
// is not at fault.
func indentProblem(lines []string, line int, m string) (col int, msg string) {
	under := m == "mapping values are not allowed in this context"
	if line < 1 || line > len(lines) {
		return 0, ""
	}
	own := levelsOf(lines[line-1], line)
	if len(own) == 0 {
		return 0, ""
	}
	me := own[len(own)-1] // the outermost: what starts the line
	if under && me.dash {
		return 0, ""
	}
	what := fmt.Sprintf("%q", me.key)
	if me.dash {
		what = "this \"-\""
	}
	var above, below *level // the nearest blocks of the same kind on either side of me.col
	limit := math.MaxInt    // blocks at or right of limit were closed by a line seen already
walk:
	for l := line - 1; l >= 1; l-- {
		t := strings.TrimSpace(lines[l-1])
		if t == "" || t[0] == '#' {
			continue
		}
		levels := levelsOf(lines[l-1], l)
		if under {
			if len(levels) == 0 || levels[0].dash || levels[0].col >= me.col {
				return 0, ""
			}
			_, val, _ := splitKeyValue(lines[l-1][levels[0].col:])
			if val == "" || strings.ContainsRune("|>&!#", rune(val[0])) {
				return 0, ""
			}
			return me.col + 1, fmt.Sprintf("%s is indented %s, under %s, which already has a value; indent it %s to line up with %q",
				what, spaces(me.col), levels[0], spaces(levels[0].col), levels[0].key)
		}
		for i, lv := range levels {
			if lv.col >= limit {
				continue
			}
			limit = lv.col
			switch {
			case lv.col == me.col && lv.dash && !me.dash && i > 0 && !levels[i-1].dash && m == "did not find expected '-' indicator":
				item := levels[i-1]
				return me.col + 1, fmt.Sprintf("%s is indented %s, like %s, where YAML expects the list's next \"- \" item; indent it %s to line up with %s",
					what, spaces(me.col), lv, spaces(item.col), item)
			case lv.col == me.col:
				return 0, ""
			case lv.dash != me.dash:
			case lv.col > me.col:
				above = &lv
			default:
				below = &lv
				break walk
			}
		}
	}
	var options []string
	for _, lv := range []*level{above, below} {
		if lv == nil {
			continue
		}
		if len(options) == 0 {
			options = append(options, fmt.Sprintf("indent it %s to line up with %s", spaces(lv.col), lv))
		} else {
			options = append(options, fmt.Sprintf("%d to line up with %s", lv.col, lv))
		}
	}
	if len(options) == 0 {
		return 0, ""
	}
	return me.col + 1, fmt.Sprintf("%s is indented %s, which lines up with nothing above it; %s",
		what, spaces(me.col), strings.Join(options, ", or "))
}

func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return strconv.Itoa(n) + " spaces"
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
		case strings.Contains(val, "${{") && strings.Contains(val, ": ") && !startsQuoted(val):
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
