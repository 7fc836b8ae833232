package router

// SetPolling turns the poller's reading of websocket connections on (as in production on
// Linux) or off (a goroutine per connection, as elsewhere) for the connections that start
// after it; it returns a func that restores the previous setting.
func SetPolling(on bool) (restore func()) {
	was := noPoller.Swap(!on)
	return func() { noPoller.Store(was) }
}

// ClientFrame is clientFrame, for the transport's tests outside the package.
var ClientFrame = clientFrame
