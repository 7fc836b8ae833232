package tmpl

import (
	"strings"
	"unicode/utf8"

	"github.com/ioroute/ioroute/config"
)

// part is literal text or an expression's source with its position.
type part struct {
	lit  string
	expr string
	pos  config.Pos
}

// split cuts s into literal text and ${{ }} expressions. Braces and quotes inside an
// expression are balanced, so `${{ {"a": {"b": 1}} }}` is one expression.
func split(n *config.Node, s string, errs *config.Errors) ([]part, bool) {
	var parts []part
	rest, offset := s, 0
	for {
		i := strings.Index(rest, "${{")
		if i < 0 {
			if rest != "" {
				parts = append(parts, part{lit: rest})
			}
			return parts, true
		}
		if i > 0 {
			parts = append(parts, part{lit: rest[:i]})
		}
		start := i + 3
		end := closing(rest[start:])
		if end < 0 {
			errs.Add(colPos(n, s, offset+i), n.Path, "unterminated ${{: add the closing }}%s", commentHint(n))
			return nil, false
		}
		src := rest[start : start+end]
		trimmed := strings.TrimLeft(src, " \t")
		lead := len(src) - len(trimmed)
		trimmed = strings.TrimRight(trimmed, " \t")
		if trimmed == "" {
			errs.Add(colPos(n, s, offset+i), n.Path, "empty ${{ }}")
			return nil, false
		}
		parts = append(parts, part{expr: trimmed, pos: colPos(n, s, offset+start+lead)})
		rest = rest[start+end+2:]
		offset += start + end + 2
	}
}

// closing finds the "}}" that ends an expression, skipping nested braces and string literals.
func closing(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '{':
			depth++
		case '}':
			if depth == 0 {
				if i+1 < len(s) && s[i+1] == '}' {
					return i
				}
				return -1
			}
			depth--
		}
	}
	return -1
}

// colPos maps a byte offset in the scalar's text to a file position. Block and multi-line
// scalars point at the value's start.
func colPos(n *config.Node, s string, byteOff int) config.Pos {
	if n.Block || strings.Contains(s[:byteOff], "\n") {
		return n.Pos
	}
	return n.Pos.Shift(n.Quoted + utf8.RuneCountInString(s[:byteOff]))
}

func commentHint(n *config.Node) string {
	if n.Comment != "" {
		return "; YAML read \"# " + n.Comment + "\" as a comment: quote the whole value"
	}
	return "; if the value holds \": \" or sits in a { } mapping, quote it"
}
