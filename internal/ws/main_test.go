package ws

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a reader, poller or writer goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
