package actions

import "errors"

// A run can end on purpose, before its last step, in two ways: a connect handler refuses its
// socket (a *Rejection, from reject or disconnect), or a step disconnects the socket whose
// event is being handled (ErrStopped). Neither is a failure: on_error does not run for them,
// and the router does not log them as errors.

// ErrStopped ends a run whose socket a disconnect step disconnected: later steps would act
// for a socket that is gone. Steps wrap it; tell it apart with errors.Is.
var ErrStopped = errors.New("the socket was disconnected by its own handler; the handler stopped there")

// Halted reports whether err ended a run on purpose: a *Rejection or ErrStopped, wrapped or not.
func Halted(err error) bool {
	var rej *Rejection
	return errors.Is(err, ErrStopped) || errors.As(err, &rej)
}
