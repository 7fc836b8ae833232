package actions

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Print writes one line to the router's standard output.
type Print struct {
	value tmpl.Template
}

var _ Action = (*Print)(nil)

func init() {
	Register(&Spec{
		Name: "print",
		Doc:  "Prints one line to standard output: a string as it is, any other value as compact JSON; control characters are escaped, so the line stays one line. Whatever follows `print:` is the value.",
		Fields: []config.Field{
			{Name: "value", Type: config.Value, Doc: "What to print."},
		},
		Shorthand:     "value",
		ShorthandOnly: true,
		Example:       "- print:\n    message: ${{ data }}",
		New: func(b *Builder) Action {
			return &Print{value: b.Value("value")}
		},
	})
}

// Waits is true: the line goes to the process's standard output, which blocks while nothing
// reads it (a stalled pipe), so a handler that prints is not run on the goroutine reading its
// client's connection (Steps.Waits).
func (p *Print) Waits() bool { return true }

// UsesSocket reports whether the printed value reads socket.
func (p *Print) UsesSocket() bool { return p.value.UsesSocket() }

// Run prints the value.
func (p *Print) Run(ctx *Context) error {
	v, err := p.value.Eval(ctx.Env)
	if err != nil {
		return err
	}
	ctx.Print(escapeControl(tmpl.Stringify(v)))
	return nil
}

// escapeControl writes control characters as Go escapes (\n, \x1b, \u2028, …), so a value
// that came from a client prints as one line and cannot forge log lines or drive the terminal.
func escapeControl(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unsafeRune reports whether r must not reach a log line as it is: a control character, a
// line or paragraph separator, or the stand-in for a byte that is not UTF-8.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError
}
