package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/config"
)

// TestServerSettingsReadEnv: ${{ env.NAME }} in a server setting is the variable's value,
// typed as the setting when it is the whole value; anything else in ${{ }}, or a variable
// that is not set, is a load error naming it.
func TestServerSettingsReadEnv(t *testing.T) {
	t.Setenv("IOROUTE_TEST_KEY", "s3cret-key")
	t.Setenv("IOROUTE_TEST_PORT", "4100")
	t.Setenv("IOROUTE_TEST_MAX", "2048")
	t.Setenv("IOROUTE_TEST_EIO3", "false")
	t.Setenv("IOROUTE_TEST_PING", "7s")
	t.Setenv("IOROUTE_TEST_NET", "10.0.0.0/8")
	cases := []struct {
		name   string
		server string
		check  func(s config.Server) bool
	}{
		{"a string", `api: { key: "${{ env.IOROUTE_TEST_KEY }}" }`, func(s config.Server) bool { return s.API.Key == "s3cret-key" }},
		{"text around", `listen: "127.0.0.1:${{ env.IOROUTE_TEST_PORT }}"`, func(s config.Server) bool { return s.Listen == "127.0.0.1:4100" }},
		{"index form", `listen: '127.0.0.1:${{ env["IOROUTE_TEST_PORT"] }}'`, func(s config.Server) bool { return s.Listen == "127.0.0.1:4100" }},
		{"an integer", `max_payload: ${{ env.IOROUTE_TEST_MAX }}`, func(s config.Server) bool { return s.MaxPayload == 2048 }},
		{"a nested integer", `limits: { calls_in_flight: "${{ env.IOROUTE_TEST_MAX }}" }`, func(s config.Server) bool { return s.Limits.CallsInFlight == 2048 }},
		{"a bool", `allow_eio3: ${{ env.IOROUTE_TEST_EIO3 }}`, func(s config.Server) bool { return !s.AllowEIO3 }},
		{"a duration", `ping_interval: ${{ env.IOROUTE_TEST_PING }}`, func(s config.Server) bool { return s.PingInterval == 7*time.Second }},
		{"a list item", `trust_proxy: ["${{ env.IOROUTE_TEST_NET }}"]`, func(s config.Server) bool { return len(s.TrustProxy) == 1 && s.TrustProxy[0].String() == "10.0.0.0/8" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := config.Parse("c.yaml", []byte("version: 1\nserver:\n  "+c.server+"\nnamespaces: {}\n"))
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(f.Server) {
				t.Fatalf("got %+v", f.Server)
			}
		})
	}
}

// TestServerSettingsEnvErrors: what a setting cannot read is named, and a value read from
// the environment never appears in a message, even where the setting refuses it.
func TestServerSettingsEnvErrors(t *testing.T) {
	t.Setenv("IOROUTE_TEST_BADURL", "http://user:hunter2-pass@10.0.0.5:6379")
	t.Setenv("IOROUTE_TEST_BADNET", "hunter2-net")
	t.Setenv("IOROUTE_TEST_BADDUR", "hunter2-dur")
	t.Setenv("IOROUTE_TEST_EMPTY", "")
	cases := []struct {
		name   string
		server string
		want   string
	}{
		{"missing variable", `api: { key: "${{ env.IOROUTE_TEST_UNSET_VARIABLE }}" }`, "server.api.key: environment variable IOROUTE_TEST_UNSET_VARIABLE is not set"},
		{"not env", `listen: "${{ data.port }}"`, "server.listen: server settings may read environment variables only, as ${{ env.NAME }}; ${{ data.port }} is evaluated for events"},
		{"an expression over env", `listen: "${{ env.A + env.B }}"`, "server settings may read environment variables only"},
		{"unterminated", `listen: "${{ env.A"`, "unterminated ${{"},
		{"empty key", `api: { key: "${{ env.IOROUTE_TEST_EMPTY }}" }`, "server.api.key: must not be empty"},
		{"redis url", `adapter: { redis: { url: "${{ env.IOROUTE_TEST_BADURL }}" } }`, "server.adapter.redis.url: must start with redis://"},
		{"trust_proxy", `trust_proxy: ["${{ env.IOROUTE_TEST_BADNET }}"]`, `"${{ env.IOROUTE_TEST_BADNET }}" is not an address`},
		{"duration", `ping_interval: ${{ env.IOROUTE_TEST_BADDUR }}`, `bad duration "${{ env.IOROUTE_TEST_BADDUR }}"`},
		{"api path overlap", `path: /api/sio
  api: { key: k }`, "server.api: the API is served under /api/ of the main listener, where server.path is too"},
		{"key required", `api: { listen: "127.0.0.1:0" }`, `server.api: missing required field "key"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte("version: 1\nserver:\n  "+c.server+"\nnamespaces: {}\n"))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error shows a value read from the environment: %v", err)
			}
		})
	}
}

// TestAPISettings: server.api decodes, is restart-required, and is nil when not written.
func TestAPISettings(t *testing.T) {
	f, err := config.Parse("c.yaml", []byte("version: 1\nserver:\n  api: { key: k1, listen: \"127.0.0.1:3002\" }\nnamespaces: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (&config.API{Key: "k1", Listen: "127.0.0.1:3002"}); !reflect.DeepEqual(f.Server.API, want) {
		t.Fatalf("api = %+v", f.Server.API)
	}
	if config.DefaultServer().API != nil {
		t.Fatal("the API is on without server.api")
	}
	other := f.Server
	other.API = &config.API{Key: "k2", Listen: "127.0.0.1:3002"}
	if got := config.RestartChanged(f.Server, other); !reflect.DeepEqual(got, []string{"server.api"}) {
		t.Fatalf("RestartChanged = %v", got)
	}
}

// TestLookupEnvReplaced: a program loading a config for another environment reads it there.
func TestLookupEnvReplaced(t *testing.T) {
	saved := config.LookupEnv
	t.Cleanup(func() { config.LookupEnv = saved })
	config.LookupEnv = func(name string) (string, bool) {
		v, ok := map[string]string{"IOROUTE_TEST_ONLY_HERE": "from-the-test"}[name]
		return v, ok
	}
	f, err := config.Parse("c.yaml", []byte("version: 1\nserver:\n  api: { key: \"${{ env.IOROUTE_TEST_ONLY_HERE }}\" }\nnamespaces: {}\n"))
	if err != nil || f.Server.API.Key != "from-the-test" {
		t.Fatalf("key %v, err %v", f.Server.API, err)
	}
}
