//go:build !linux

package router

// usePoller is false: without epoll every websocket connection is read by a goroutine of its
// own (readLoop).
var usePoller = false

// watch reads r on the calling goroutine until its connection ends.
func watch(r *wsReader) { r.readLoop() }

// unwatch has nothing to do without a poller.
func unwatch(*wsReader) {}
