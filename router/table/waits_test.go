package table

import "testing"

// TestHandlerWaits: a handler waits when a step or an error step calls a backend or prints,
// or when it disconnects sockets while some namespace's disconnect handler waits.
func TestHandlerWaits(t *testing.T) {
	cases := []struct {
		name, config string
		waits        bool
	}{
		{"emit only", `
  /a:
    on:
      ev: [emit: { event: x }]`, false},
		{"a call", `
  /a:
    on:
      ev: [call: { url: "http://127.0.0.1:1/x" }]`, true},
		{"a print", `
  /a:
    on:
      ev: [print: hi]`, true},
		{"a call in on_error", `
  /a:
    on:
      ev:
        do: [emit: { event: x }]
        on_error: [call: { url: "http://127.0.0.1:1/x" }]`, true},
		{"a disconnect step, no disconnect handler waits", `
  /a:
    on:
      ev: [disconnect: "${{ data }}"]
      disconnect: [emit: { event: x, to: room }]`, false},
		{"a disconnect step, another namespace's disconnect handler calls", `
  /a:
    on:
      ev: [disconnect: { socket: "${{ data }}", close: true }]
  /b:
    on:
      disconnect: [call: { url: "http://127.0.0.1:1/x" }]`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := LoadBytes("w.yaml", []byte("version: 1\nnamespaces:"+c.config+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := tbl.Namespaces["/a"].Events["ev"].Waits; got != c.waits {
				t.Fatalf("Waits = %v, want %v", got, c.waits)
			}
		})
	}
}
