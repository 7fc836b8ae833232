package table_test

import (
	"strings"
	"testing"
)

// TestEventRateErrors: rates that cannot apply are load errors with position and path.
func TestEventRateErrors(t *testing.T) {
	config := func(events string) string {
		return "version: 1\nserver:\n  limits:\n    events:\n" + events +
			"namespaces:\n  /chat:\n    on:\n      message:\n        - print: hi\n"
	}
	tests := []struct {
		name   string
		events string
		want   []string
	}{
		{"misspelt event", "      mesage: { per_second: 5 }\n",
			[]string{`c.yaml:5:7: server.limits.events.mesage: no namespace handles "mesage"; did you mean "message"?`}},
		{"lifecycle event", "      connect: { per_second: 5 }\n",
			[]string{`c.yaml:5:7: server.limits.events.connect: "connect" is not an event clients send, so it cannot have a rate`}},
		{"zero rate", "      message: { per_second: 0, burst: 0 }\n", []string{
			"c.yaml:5:30: server.limits.events.message.per_second: must be at least 1",
			"c.yaml:5:40: server.limits.events.message.burst: must be at least 1"}},
		{"rate missing", "      message: { burst: 5 }\n",
			[]string{`c.yaml:5:16: server.limits.events.message: missing required field "per_second"`}},
		{"unknown field", "      message: { per_second: 5, per_minute: 100 }\n",
			[]string{`c.yaml:5:33: server.limits.events.message.per_minute: unknown field (known: burst, per_second)`}},
		{"not a mapping", "      message: 5\n",
			[]string{`c.yaml:5:16: server.limits.events.message: expected a mapping, got integer`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadString(config(tt.events))
			if err == nil {
				t.Fatal("loaded")
			}
			if got := err.Error(); got != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(tt.want, "\n"))
			}
		})
	}
	if _, err := loadString(config("      message: { per_second: 5 }\n")); err != nil {
		t.Fatalf("a valid rate: %v", err)
	}
}

func TestRejectOnlyInConnect(t *testing.T) {
	_, err := loadString("version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - reject: no\n")
	if err == nil || !strings.Contains(err.Error(), "c.yaml:6:19: namespaces./a.on.x[0].reject: reject refuses a connecting socket, so it belongs in a connect handler") {
		t.Fatalf("got %v", err)
	}
}
