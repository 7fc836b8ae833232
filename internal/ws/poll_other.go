//go:build !linux

package ws

// watch reads r on the calling goroutine until its connection ends.
func watch(r *Reader) { r.readLoop() }

// unwatch has nothing to do without a poller.
func unwatch(*Reader) {}

// pollState is empty without a poller.
type pollState struct{}
