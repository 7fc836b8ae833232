package actions

import (
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
		Doc:  "Prints one line to standard output: a string as it is, any other value as compact JSON. Whatever follows `print:` is the value.",
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

// UsesSocket reports whether the printed value reads socket.
func (p *Print) UsesSocket() bool { return p.value.UsesSocket() }

// Run prints the value.
func (p *Print) Run(ctx *Context) error {
	v, err := p.value.Eval(ctx.Env)
	if err != nil {
		return err
	}
	ctx.Print(tmpl.Stringify(v))
	return nil
}
