package tmpl

import "github.com/ioroute/ioroute/config"

// Part is one piece of a string that may embed ${{ }}: literal text, or one expression.
type Part struct {
	// Lit is the literal text, when Expr is nil.
	Lit string
	// Expr yields the expression's value, typed; nil for literal text.
	Expr Template
	// Source is the expression as written inside ${{ }}, trimmed.
	Source string
	// Pos locates the expression.
	Pos config.Pos
}

// CompileParts compiles a string that may embed ${{ }} into its pieces, in order, for a caller
// that renders each value itself (escaping it for a URL, say) instead of as CompileText does.
// It reports false when the string cannot be split (an unterminated ${{); an expression that
// does not compile is reported into errs and yields nil.
func CompileParts(n *config.Node, s string, scopes Scopes, errs *config.Errors) ([]Part, bool) {
	parts, ok := split(n, s, errs)
	if !ok {
		return nil, false
	}
	out := make([]Part, len(parts))
	for i, p := range parts {
		if p.expr == "" {
			out[i] = Part{Lit: p.lit}
			continue
		}
		out[i] = Part{Source: p.expr, Pos: p.pos, Expr: constT{nil}}
		if prog := compile(p.expr, p.pos, n.Path, scopes, false, errs); prog != nil {
			out[i].Expr = &exprT{prog}
		}
	}
	return out, true
}
