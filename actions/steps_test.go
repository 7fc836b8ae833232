package actions

import (
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// TestKeepsContext: only a handler with an on_ack (whose context is used when the
// acknowledgement comes) keeps its context beyond its run, whatever wraps the step.
func TestKeepsContext(t *testing.T) {
	tests := []struct {
		steps string
		want  bool
	}{
		{"[{broadcast: {event: e, data: '${{ data }}'}}, {ack: ok}, {print: hi}]", false},
		{"[{emit: {event: e, data: '${{ socket.id }}'}}]", false},
		{"[{print: hi}, {emit: {event: q, on_ack: [{print: '${{ reply }}'}]}}]", true},
		{"[{emit: {event: q, data: '${{ socket.rooms }}', on_ack: [{print: done}]}}]", true},
	}
	for _, tt := range tests {
		f, err := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nsteps: "+tt.steps+"\n"))
		if f == nil {
			t.Fatal(err)
		}
		var errs config.Errors
		steps, _ := Compile(config.ParseSteps(f.Root.Get("steps"), &errs), tmpl.EventScope, &errs)
		if err := errs.Err(); err != nil {
			t.Fatalf("%s: %v", tt.steps, err)
		}
		if got := steps.KeepsContext(); got != tt.want {
			t.Errorf("%s: KeepsContext = %v, want %v", tt.steps, got, tt.want)
		}
	}
}
