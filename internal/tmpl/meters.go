package tmpl

import (
	"reflect"

	"github.com/expr-lang/expr"
)

// A meter is a function that patched expressions call (metering.go) before an operation runs: it
// prices the operation from the values it is about to get and spends that from the run's
// budget, which it reads from $env.
type meter struct {
	// name is what patched code calls; the space keeps config authors from calling it.
	name string
	// cost prices an operation given its operands; left is what the budget holds, which
	// bounds how far cost needs to look into a deep value.
	cost func(args []any, left int64) int64
}

// The meters, one per way of pricing.
var (
	sizeMeter    = meter{"budget size", sizeCost}
	deepMeter    = meter{"budget deep", deepCost}
	encodeMeter  = meter{"budget encode", encodeCost}
	parseMeter   = meter{"budget parse", parseCost}
	repeatMeter  = meter{"budget repeat", repeatCost}
	replaceMeter = meter{"budget replace", replaceCost}
	joinMeter    = meter{"budget join", joinCost}
	splitMeter   = meter{"budget split", splitCost}
	takeMeter    = meter{"budget take", takeCost}
	uniqMeter    = meter{"budget uniq", uniqCost}
	rangeMeter   = meter{"budget range", rangeCost}
	matchMeter   = meter{"budget matches", matchCost}
	jwtMeter     = meter{"budget jwt", func(a []any, l int64) int64 { return jwtSteps + sizeCost(a, l) }}
	zoneMeter    = meter{"budget zone", func(a []any, l int64) int64 { return zoneSteps + sizeCost(a, l) }}
)

// meterOptions declare the meters to the expression compiler.
var meterOptions = func() []expr.Option {
	var opts []expr.Option
	for _, m := range []meter{sizeMeter, deepMeter, encodeMeter, parseMeter, repeatMeter, replaceMeter, joinMeter,
		splitMeter, takeMeter, uniqMeter, rangeMeter, matchMeter, jwtMeter, zoneMeter} {
		opts = append(opts, expr.Function(m.name, m.call))
	}
	return opts
}()

// call is the function patched code calls: its first argument is $env, the rest the operands.
func (m meter) call(params ...any) (any, error) {
	e, _ := params[0].(*Env)
	if e == nil || e.budget == nil {
		return nil, nil
	}
	return nil, e.budget.spend(max(1, m.cost(params[1:], e.budget.left)))
}

// What runs once per element is metered by functions of types the virtual machine calls
// without allocating their arguments (func(any) any and func(any, any) any), one call per
// operand; they report a spent budget by panicking, which the machine turns into an error.
var (
	// stepFunc is the price of a predicate call; its argument is $env.
	stepFunc = func(env any) any {
		spendIn(env, 1)
		return nil
	}
	// sizeFunc prices one pass over an operand.
	sizeFunc = operandFunc(func(v any, _ int64) int64 { return 1 + size(v) })
	// deepFunc prices a visit of everything inside an operand.
	deepFunc = operandFunc(func(v any, left int64) int64 { return 1 + weigh(v, left) })
	// lookupFunc prices the right operand of in: a comparison with every element of a list,
	// one step for a key of an object.
	lookupFunc = operandFunc(func(v any, left int64) int64 {
		if reflect.ValueOf(v).Kind() == reflect.Map {
			return 1
		}
		return 1 + weigh(v, left)
	})
)

// operandFunc makes a meter of one operand from its price; its first argument is $env.
func operandFunc(cost func(v any, left int64) int64) func(env, v any) any {
	return func(env, v any) any {
		if e, _ := env.(*Env); e != nil && e.budget != nil {
			spendIn(e, cost(v, e.budget.left))
		}
		return nil
	}
}

// spendIn spends n steps of the budget of env, an *Env, if it has one; it panics with the
// error when the budget is spent.
func spendIn(env any, n int64) {
	if e, _ := env.(*Env); e != nil && e.budget != nil {
		if err := e.budget.spend(n); err != nil {
			panic(err)
		}
	}
}
