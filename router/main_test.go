package router_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any server, socket or client goroutine outlives the tests.
// Goroutines that exist before any test (the Go client's package-level network monitor,
// started by its init) are not ours to stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}
