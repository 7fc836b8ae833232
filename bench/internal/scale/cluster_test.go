package scale

import "testing"

func TestDisconnectReason(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
		ok               bool
	}{
		{"quoted", `time=x level=INFO msg=disconnected namespace=/chat socket=a reason="ping timeout" connected_for=1s`, "ping timeout", true},
		{"bare", `time=x level=INFO msg=disconnected namespace=/chat reason=transport_close connected_for=1s`, "transport_close", true},
		{"another line", `time=x level=INFO msg=connected namespace=/chat reason="x"`, "", false},
		{"no reason", `time=x level=INFO msg=disconnected namespace=/chat`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := disconnectReason([]byte(tc.line))
			if got != tc.want || ok != tc.ok {
				t.Errorf("disconnectReason = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
