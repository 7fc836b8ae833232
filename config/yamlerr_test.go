package config_test

import (
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// chat is a config whose handler for message starts on line 6, followed by lines.
func chat(lines ...string) string {
	return "version: 1\nnamespaces:\n  /chat:\n    on:\n      message:\n" + strings.Join(lines, "\n") + "\n"
}

// TestYAMLErrorsPointAtTheFault: YAML syntax errors are reported at the line (and, where it is
// known, the column) at fault, with what to do about misaligned keys and tabs.
func TestYAMLErrorsPointAtTheFault(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"key one space short under a step", chat(
			"        - emit:",
			"            event: new-message",
			"           data: ${{ data }}",
		), `c.yaml:8:12: YAML: "data" is indented 11 spaces, which lines up with nothing above it; indent it 12 spaces to line up with "event" on line 7, or 10 to line up with "emit" on line 6`},
		{"key one space short, far below where its block starts", chat(
			"        - emit:",
			"            event: new-message",
			"            data:",
			"              user: ${{ socket.id }}",
			"              text: ${{ data }}",
			"            to: room",
			"            include_self: false",
			"           broadcast: true",
		), `c.yaml:13:12: YAML: "broadcast" is indented 11 spaces, which lines up with nothing above it; indent it 12 spaces to line up with "include_self" on line 12, or 10 to line up with "emit" on line 6`},
		{"list item one space deep", chat(
			"        - print: a",
			"         - print: b",
		), `c.yaml:7:10: YAML: this "-" is indented 9 spaces, which lines up with nothing above it; indent it 8 spaces to line up with the "-" on line 6`},
		{"key one space deep under a value", chat(
			"        - emit:",
			"            event: new-message",
			"             data: ${{ data }}",
		), `c.yaml:8:14: YAML: "data" is indented 13 spaces, under "event" on line 7, which already has a value; indent it 12 spaces to line up with "event"`},
		{"key lined up with the list's dash", chat(
			"        - print: a",
			"        when: data > 1",
		), `c.yaml:7:9: YAML: "when" is indented 8 spaces, like the "-" on line 6, where YAML expects the list's next "- " item; indent it 10 spaces to line up with "print" on line 6`},
		{"top-level key one space deep", "version: 1\n namespaces:\n  /a:\n",
			`c.yaml:2:2: YAML: "namespaces" is indented 1 space, under "version" on line 1, which already has a value; indent it 0 spaces to line up with "version"`},
		{"tab for indentation", chat(
			"\t- print: hi",
		), "c.yaml:6:1: YAML: a tab is used for indentation; YAML indents with spaces: replace the tab with spaces"},
		{"tab after spaces, below a value", chat(
			"        - print: hi",
			"        \twhen: data > 1",
		), "c.yaml:7:9: YAML: a tab is used for indentation; YAML indents with spaces: replace the tab with spaces"},
		{"tab on the first line", "\tversion: 1\nnamespaces: {}\n",
			"c.yaml:1:1: YAML: a tab is used for indentation; YAML indents with spaces: replace the tab with spaces"},
		{"tab after a dash", chat(
			"        -\tprint: hi",
		), `c.yaml:6:10: YAML: a tab follows "-"; YAML needs a space there: replace the tab with a space`},
		{"aligned keys are not blamed", chat(
			"        - print: hi",
			"          when: \"a\" == data",
		), "c.yaml:7: YAML: did not find expected key; YAML reads a `when` starting with \"\\\"\" as YAML syntax; quote the whole expression: when: '\"a\" == data'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}
