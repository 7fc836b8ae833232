package ws

import "sync/atomic"

// noPoller is true to read every connection with a goroutine of its own (readLoop), as where
// there is no epoll.
var noPoller atomic.Bool

// SetPolling turns the poller's reading of connections on (the default where the system has
// epoll) or off (a goroutine per connection, as elsewhere) for the readers started after it,
// and returns a func that restores the previous setting. Tests use it to cover both paths on
// Linux.
func SetPolling(on bool) (restore func()) {
	was := noPoller.Swap(!on)
	return func() { noPoller.Store(was) }
}
