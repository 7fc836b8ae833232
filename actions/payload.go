package actions

import (
	"fmt"
	"reflect"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// payload is the arguments of an emission or an acknowledgement: one `data` value or an `args` list.
// eval yields them ready to send (see sendable).
type payload struct {
	data tmpl.Template
	args tmpl.Template
	// fixed is the argument list, converted once, when it is the same for every event; its
	// capacity is its length, so appending to it (the router appends an ack) copies.
	fixed   []any
	isFixed bool
}

// payloadFields declares data and args, shared by every action that sends values.
var payloadFields = []config.Field{
	{Name: "data", Type: config.Value, Doc: "The one argument to send; ${{ }} anywhere inside is evaluated. It is sent as JSON.stringify writes it: NaN and Infinity become null.", Example: "data: ${{ data }}"},
	{Name: "args", Type: config.ValueList, Doc: "Several arguments, as a list (or one ${{ }} yielding a list). Not with data.", Example: "args: [\"${{ data.a }}\", \"${{ data.b }}\"]"},
}

// newPayload compiles data and args from b.
func newPayload(b *Builder) payload {
	p := payload{data: b.Value("data"), args: b.Value("args")}
	if b.Has("data") && b.Has("args") {
		b.Errorf("args", "use data (one argument) or args (several), not both")
	}
	if n := b.Node("args"); n != nil && n.Kind != config.ListNode {
		s, ok := n.Value.(string)
		switch {
		case !ok || n.Kind == config.MapNode:
			b.Errorf("args", "expected a list of arguments, got %s", n.Describe())
			return p
		case p.args != nil && p.args.Const():
			b.Errorf("args", "expected a list of arguments or a ${{ }} yielding one, got %q", s)
			return p
		}
	}
	if (p.data == nil || p.data.Const()) && (p.args == nil || p.args.Const()) {
		args, err := p.eval(nil)
		if err != nil {
			b.Errorf("", "%v", err)
			return p
		}
		p.fixed, p.isFixed = args[:len(args):len(args)], true
	}
	return p
}

// eval produces the argument list for one event, ready to send. env is nil for a payload
// that is the same for every event.
func (p payload) eval(env *tmpl.Env) ([]any, error) {
	if p.isFixed {
		return p.fixed, nil
	}
	var plain []any
	if env != nil {
		plain = env.Args
	}
	switch {
	case p.data != nil:
		v, err := p.data.Eval(env)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		return sendable([]any{v}, plain, "data")
	case p.args != nil:
		v, err := p.args.Eval(env)
		if err != nil {
			return nil, fmt.Errorf("args: %w", err)
		}
		args, err := toList(v)
		if err != nil {
			return nil, err
		}
		return sendable(args, plain, "args")
	}
	return nil, nil
}

func (p payload) usesSocket() bool {
	return (p.data != nil && p.data.UsesSocket()) || (p.args != nil && p.args.UsesSocket())
}

// toList accepts any slice (expressions may yield typed slices) as an argument list.
func toList(v any) ([]any, error) {
	switch l := v.(type) {
	case []any:
		return l, nil
	case nil:
		return nil, nil
	case []byte:
		return nil, fmt.Errorf("args: expected a list, got binary data")
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("args: expected a list, got %T", v)
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}
