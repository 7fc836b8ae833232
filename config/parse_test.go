package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// step wraps one step's lines into a config whose step starts on line 6.
func step(lines ...string) string {
	return "version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n" + strings.Join(lines, "\n") + "\n"
}

func TestYAMLErrorsSuggestQuotes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"map literal in a shorthand", step(`        - ack: ${{ {"sum": data.a} }}`),
			`c.yaml:6: YAML: mapping values are not allowed in this context; an expression holding ": " must be quoted: ack: '${{ {"sum": data.a} }}'`},
		{"expression in a flow mapping", step(`        - emit: { event: e, data: ${{ data }} }`),
			`c.yaml:6: YAML: did not find expected ',' or '}'; an expression inside a { } mapping must be quoted: data: '${{ data }}'`},
		{"when starting with a quote", step(`        - print: hi`, `          when: "a" == data`),
			`c.yaml:7: YAML: did not find expected key; YAML reads a ` + "`when`" + ` starting with "\"" as YAML syntax; quote the whole expression: when: '"a" == data'`},
		{"when starting with a bracket", step(`        - print: hi`, `          when: [1] == data`),
			`c.yaml:7: YAML: did not find expected key; YAML reads a ` + "`when`" + ` starting with "[" as YAML syntax; quote the whole expression: when: '[1] == data'`},
		{"when with a ternary", step(`        - print: hi`, `          when: data ? true : false`),
			`c.yaml:7: YAML: mapping values are not allowed in this context; a ` + "`when`" + ` holding ": " must be quoted: when: 'data ? true : false'`},
		{"when starting with @", step(`        - print: hi`, `          when: @x`),
			`c.yaml:7: YAML: found character that cannot start any token; YAML reads a ` + "`when`" + ` starting with "@" as YAML syntax; quote the whole expression: when: '@x'`},
		{"when starting with * (an alias)", step(`        - print: hi`, `          when: *x`),
			`c.yaml:7: YAML: unknown anchor 'x' referenced; YAML reads a ` + "`when`" + ` starting with "*" as YAML syntax; quote the whole expression: when: '*x'`},
		{"when starting with ! (a tag)", step(`        - print: hi`, `          when: !data.ok`),
			`c.yaml:7:17: namespaces./a.on.x[0].when: YAML read "!data.ok" as a tag (a value may not start with "!" unquoted); quote the whole value: '!data.ok'`},
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

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty file", "", []string{"c.yaml:1: the file is empty; it needs at least `version: 1` and `namespaces`"}},
		{"not a mapping", "- 1\n", []string{"c.yaml:1:1: expected a mapping with version and namespaces, got list"}},
		{"missing version and namespaces", "server: {}\n", []string{
			`c.yaml:1:1: missing required field "version" (write ` + "`version: 1`)",
			`c.yaml:1:1: missing required field "namespaces"`}},
		{"wrong version", "version: 2\nnamespaces: {}\n", []string{"c.yaml:1:10: version: unsupported version 2; this ioroute reads version 1"}},
		{"unknown top-level key", "version: 1\nnamespace: {}\nnamespaces: {}\n", []string{`c.yaml:2:1: namespace: unknown field; did you mean "namespaces"?`}},
		{"server settings", "version: 1\nserver:\n  listen: 1\n  ping_interval: 5\n  max_payload: -1\n  cors: { origins: [\"*\"], credentials: true }\n  colour: red\nnamespaces: {}\n", []string{
			"c.yaml:3:11: server.listen: expected a string, got integer",
			`c.yaml:4:18: server.ping_interval: expected a duration such as "300ms" or "25s", got integer`,
			"c.yaml:5:16: server.max_payload: must not be negative",
			"c.yaml:7:3: server.colour: unknown field (known: adapter, admin, allow_eio3, api, connect_timeout, cors, limits, listen, max_payload, metrics, path, ping_interval, ping_timeout, recovery, serve_client, shutdown_drain, static, trust_proxy)"}},
		{"origins * with credentials", "version: 1\nserver:\n  cors: { origins: [\"*\"], credentials: true }\nnamespaces: {}\n", []string{
			`c.yaml:3:9: server.cors: origins "*" with credentials: true would let any site act as the user; list the allowed origins`}},
		{"redis adapter field", "version: 1\nserver:\n  adapter:\n    redis: { url: \"redis://127.0.0.1:6379\", db: 1 }\nnamespaces: {}\n", []string{
			`c.yaml:4:45: server.adapter.redis.db: unknown field (known: key, url)`}},
		{"redis adapter values", "version: 1\nserver:\n  adapter:\n    redis: { url: \"http://127.0.0.1:6379\", key: \"\" }\nnamespaces: {}\n", []string{
			`c.yaml:4:19: server.adapter.redis.url: must start with redis://, rediss:// or unix://`,
			`c.yaml:4:49: server.adapter.redis.key: must not be empty`}},
		{"namespace name", "version: 1\nnamespaces:\n  chat: {}\n", []string{`c.yaml:3:3: namespaces.chat: namespace names start with "/", as in "/chat"`}},
		{"steps shape", step("        hello"), []string{`c.yaml:6:9: namespaces./a.on.x: expected a list of steps (each line starting with "- "), got string`}},
		{"two actions in a step", step("        - print: a", "          send: b"), []string{
			`c.yaml:7:11: namespaces./a.on.x[0]: a step has exactly one action; found "print" and "send" (make them two steps)`}},
		{"misspelt when", step("        - print: a", "          wehn: true"), []string{`c.yaml:7:11: namespaces./a.on.x[0].wehn: unknown field; did you mean "when"?`}},
		{"duplicate key", "version: 1\nversion: 1\nnamespaces: {}\n", []string{`c.yaml:2:1: version: duplicate key "version"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseKeepsPositionsAndDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "c.yaml")
	f, err := config.Parse(name, []byte("version: 1\nserver:\n  static: ./client\n  ping_timeout: 300ms\nnamespaces:\n  /chat:\n    on:\n      message:\n        - print: hi\n          when: data > 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Server.Static != filepath.Join(dir, "client") || f.Server.PingTimeout.String() != "300ms" || f.Server.Listen != "127.0.0.1:3001" || !f.Server.AllowEIO3 {
		t.Fatalf("server = %+v", f.Server)
	}
	st := f.Namespaces[0].Handlers[0].Steps[0]
	if st.Action != "print" || st.ActionPos.String() != name+":9:11" || st.Path != "namespaces./chat.on.message[0]" {
		t.Fatalf("step = %+v", st)
	}
	if st.When.Text != "data > 1" || st.When.Pos.String() != name+":10:17" {
		t.Fatalf("when = %+v", st.When)
	}
}
