package table

import (
	"errors"
	"regexp"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// positioned matches an error line that starts with file:line (and maybe :col).
var positioned = regexp.MustCompile(`^f\.yaml:\d+(:\d+)?: `)

// FuzzLoad: any bytes as a config never panic, and every error carries a position.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"version: 1\nnamespaces:\n  /chat:\n    on:\n      message:\n        - broadcast: { event: new-message, data: \"${{ data }}\" }\n",
		"version: 1\nserver: { listen: ':1', cors: { origins: ['*'] }, limits: { rooms_per_socket: 3 } }\nnamespaces:\n  /a:\n    on:\n      connect:\n        - reject: no\n          when: auth.token == nil\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - emit: { event: e, to: \"${{ data }}\", timeout: 1s, on_ack: [print: '${{ reply }}'] }\n",
		"version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n        - ack: ${{ {\"a\": 1} }}\n",
		"version: 1\nnamespaces: &a\n  /a: *a\n",
		"- [",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := LoadBytes("f.yaml", src)
		var errs config.Errors
		if err == nil {
			return
		}
		if !errors.As(err, &errs) {
			t.Fatalf("error without positions: %v", err)
		}
		for _, e := range errs {
			if !positioned.MatchString(e.Error()) {
				t.Fatalf("error without a position: %q", e.Error())
			}
		}
	})
}
