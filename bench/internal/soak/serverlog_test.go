package soak_test

import (
	"strings"
	"testing"

	"github.com/ioroute/ioroute/bench/internal/soak"
)

// TestServerEnded: disconnections the server ended are counted by reason, with those its log
// sampling left out; disconnections the clients ended are not.
func TestServerEnded(t *testing.T) {
	for _, tt := range []struct {
		name    string
		log     string
		reasons map[string]int
		leftOut int
	}{
		{"none", `time=T level=INFO msg=disconnected namespace=/chat socket=a connection=b address=127.0.0.1 transport=websocket protocol=4 reason="transport close" ended_by=client connected_for=2ms
time=T level=INFO msg="connection log: 6 lines left out (more than 50 connections and disconnections a second)" left_out=6
`, map[string]int{}, 0},
		{"reasons and lines left out", `time=T level=INFO msg=disconnected namespace=/chat socket=a connection=b address=127.0.0.1 transport=websocket protocol=4 reason="ping timeout" ended_by=server detail="no pong within 20s of the server's ping (server.ping_timeout)" connected_for=20.1s
time=T level=INFO msg=disconnected namespace=/chat socket=c connection=d address=127.0.0.1 transport=websocket protocol=4 reason="transport error" ended_by=server detail="transport failure: queue full (\"x\")" connected_for=3s
time=T level=INFO msg=disconnected namespace=/chat socket=e connection=f address=127.0.0.1 transport=websocket protocol=4 reason="ping timeout" ended_by=server connected_for=40s
time=T level=INFO msg="connection log: 3 lines left out (more than 50 disconnections by the server a second)" left_out=3
`, map[string]int{"ping timeout": 2, "transport error": 1}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := soak.ServerEnded(strings.NewReader(tt.log))
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Reasons) != len(tt.reasons) || e.LeftOut != tt.leftOut {
				t.Fatalf("got %v and %d left out, want %v and %d", e.Reasons, e.LeftOut, tt.reasons, tt.leftOut)
			}
			for r, n := range tt.reasons {
				if e.Reasons[r] != n {
					t.Errorf("%q: %d, want %d", r, e.Reasons[r], n)
				}
			}
			if want := tt.leftOut + sum(tt.reasons); e.Total() != want {
				t.Errorf("total %d, want %d", e.Total(), want)
			}
		})
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
