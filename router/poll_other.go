//go:build !linux

package router

import "sync/atomic"

// noPoller is moot without epoll: every websocket connection is read by a goroutine of its
// own (readLoop).
var noPoller atomic.Bool

// watch reads r on the calling goroutine until its connection ends.
func watch(r *wsReader) { r.readLoop() }

// unwatch has nothing to do without a poller.
func unwatch(*wsReader) {}

// pollState is empty without a poller.
type pollState struct{}
