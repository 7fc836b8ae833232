package engine

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a server, transport or timer goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
