package tmpl

import "fmt"

// Budget bounds the work the expressions of one handler run may do. The client decides how
// much work an expression does (`reduce(1..data, …)` loops as often as data says), so without a
// bound one event could hold a core for seconds.
//
// The budget counts steps, not time: a step is one call of a predicate (the body of map,
// filter, reduce, all…, run once per element), one element or entry that an operation builds or
// reads, or 64 bytes of text (cost.go has the price of each operation). Counting steps gives
// the same answer on a busy machine as on an idle one, and it means that a step that waits (a
// cluster request, an HTTP call) spends nothing while it waits: waiting is not an expression.
//
// The router keeps one Budget per run and resets it when the run starts. A Budget is not safe
// for concurrent use; the steps of a run happen one after another.
type Budget struct {
	left  int64
	limit int64
}

// Reset gives the budget steps to spend, for a new run.
func (b *Budget) Reset(steps int64) { b.left, b.limit = steps, steps }

// SetBudget makes b bound the expressions evaluated against e; nil bounds nothing.
func (e *Env) SetBudget(b *Budget) { e.budget = b }

// RenewBudget gives e a budget of its own, as large as the one it had when full: for a run
// of its own started from a copy of another run's environment (an on_ack, when the client's
// reply comes), which neither inherits what is left of the other's budget nor shares it
// with other such runs on other goroutines.
func (e *Env) RenewBudget() {
	if e.budget != nil {
		b := new(Budget)
		b.Reset(e.budget.limit)
		e.budget = b
	}
}

// spend takes n steps, or reports that the run has none left. A spent budget stays spent, so
// every later expression of the run fails the same way.
func (b *Budget) spend(n int64) error {
	if n <= b.left {
		b.left -= n
		return nil
	}
	b.left = -1
	return &BudgetError{Limit: b.limit}
}

// BudgetError is why an expression stopped: its run used up its Budget.
type BudgetError struct {
	Limit int64
}

// Error names the limit and the setting that raises it.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("the expression used more than %d steps (server.limits.expression_steps, counted per handler run); raise it if real events need more", e.Limit)
}
