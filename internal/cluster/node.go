package cluster

import (
	"context"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// Node is a server's membership of a cluster, whichever adapter carries it: the classic
// pub/sub Cluster, or a Redis stream (package internal/cluster/streams).
type Node interface {
	// AdapterBuilder wraps the namespace adapters local builds so that they reach the
	// other servers.
	AdapterBuilder(local sio.AdapterConstructor) sio.AdapterConstructor
	// Start joins the cluster with the namespaces this node serves.
	Start(namespaces []string) error
	// Follow follows a reload's namespaces.
	Follow(namespaces []string)
	// Close sends what is queued, within timeout, and leaves.
	Close(timeout time.Duration)
	// Ready tells whether the node is joined and Redis answers.
	Ready(ctx context.Context) error
	// Stats are the node's counts since it started.
	Stats() Stats
	// EmitWithAck emits to socket sid of nsp on another server and hands done its
	// acknowledgement, or an error after timeout.
	EmitWithAck(nsp, sid, event string, args []any, timeout time.Duration, done func([]any, error)) error
}

var _ Node = (*Cluster)(nil)
