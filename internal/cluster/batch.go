package cluster

import "context"

// maxBatch is the most messages one round trip to Redis pipelines.
const maxBatch = 256

// Batches hands write what waits in queue, batch by batch, until ctx ends: it waits for one
// message, then takes every message already queued behind it (up to maxBatch), so one
// pipelined round trip to Redis carries as much as gathered while the previous one ran.
// The batch is reused: write must not keep it.
func Batches[T any](ctx context.Context, queue <-chan T, write func(batch []T)) {
	batch := make([]T, 0, maxBatch)
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-queue:
			batch = append(batch[:0], m)
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case m := <-queue:
				batch = append(batch, m)
			default:
				break fill
			}
		}
		write(batch)
	}
}
