// Package ws is the server side of the WebSocket protocol (RFC 6455) once a connection is
// upgraded: frames parsed and checked as they arrive (Reader), read through an epoll set on
// Linux so that an idle connection holds no goroutine and no buffer, and written through a
// bounded queue that batches frames into one write (Queue). It knows nothing of Engine.IO or
// Socket.IO and depends on the standard library and golang.org/x/sys only.
package ws
