package config_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/config"
)

// TestDefaultServer pins the defaults, which DefaultServer derives from the field declarations.
func TestDefaultServer(t *testing.T) {
	want := config.Server{
		Listen:         "127.0.0.1:3001",
		Path:           "/socket.io",
		PingInterval:   25 * time.Second,
		PingTimeout:    20 * time.Second,
		ConnectTimeout: 45 * time.Second,
		MaxPayload:     1000000,
		AllowEIO3:      true,
		ServeClient:    true,
		ShutdownDrain:  5 * time.Second,
		Limits: config.Limits{MaxConnections: 10000, EventsPerSecond: 1000, EventBurst: 2000, FloodLimit: 10000,
			RoomsPerSocket: 100, ShutdownTimeout: 10 * time.Second, ExpressionSteps: 100000,
			LoopItems: 10000, SocketDataBytes: 16 << 10,
			PendingEvents: 5000, PendingBytes: 16 << 20, CallsInFlight: 256, CallBodyBytes: 1 << 20, RecoveryBytes: 64 << 20},
		Pos: map[string]config.Pos{},
	}
	if got := config.DefaultServer(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

// TestServerDefaultsFillWhatIsLeftOut checks that a key left out takes its default at every
// level, and that a written redis, even empty, turns the adapter on.
func TestServerDefaultsFillWhatIsLeftOut(t *testing.T) {
	parse := func(t *testing.T, server string) config.Server {
		t.Helper()
		f, err := config.Parse("c.yaml", []byte("version: 1\n"+server+"namespaces: {}\n"))
		if err != nil {
			t.Fatal(err)
		}
		return f.Server
	}
	t.Run("no server section", func(t *testing.T) {
		if got := parse(t, ""); !reflect.DeepEqual(got, config.DefaultServer()) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("empty sections", func(t *testing.T) {
		got := parse(t, "server: { limits: {}, adapter: {}, cors: {} }\n")
		got.Pos = map[string]config.Pos{}
		if !reflect.DeepEqual(got, config.DefaultServer()) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("some keys written", func(t *testing.T) {
		got := parse(t, "server: { listen: \":9\", limits: { event_burst: 7 }, cors: { origins: [a] } }\n")
		want := config.DefaultServer()
		want.Listen, want.Limits.EventBurst, want.Origins = ":9", 7, []string{"a"}
		if got.Pos["listen"].Line != 2 || got.Pos["limits"].Line != 2 || len(got.Pos) != 3 {
			t.Errorf("Pos = %v, want listen, limits and cors only", got.Pos)
		}
		got.Pos = want.Pos
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("empty redis", func(t *testing.T) {
		got := parse(t, "server: { adapter: { redis: {} } }\n").Adapter.Redis
		if want := (&config.RedisAdapter{URL: config.DefaultRedisURL, Key: config.DefaultRedisKey}); !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("empty redis_streams", func(t *testing.T) {
		got := parse(t, "server: { adapter: { redis_streams: {} } }\n").Adapter
		want := &config.RedisStreamsAdapter{URL: config.DefaultRedisURL, Key: "socket.io", Stream: "socket.io", MaxLen: 10000, SessionPrefix: "sio:session:"}
		if got.Redis != nil || !reflect.DeepEqual(got.RedisStreams, want) {
			t.Fatalf("got %+v, want %+v", got.RedisStreams, want)
		}
	})
	t.Run("redis key written", func(t *testing.T) {
		got := parse(t, "server: { adapter: { redis: { key: k } } }\n").Adapter.Redis
		if want := (&config.RedisAdapter{URL: config.DefaultRedisURL, Key: "k"}); !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}

// TestServerSettingTags keeps the setting tags of Server in step with ServerFields, which
// RestartChanged relies on: a setting without a tagged field would never be reported.
func TestServerSettingTags(t *testing.T) {
	tagged := map[string]bool{}
	st := reflect.TypeFor[config.Server]()
	for i := range st.NumField() {
		f := st.Field(i)
		name, ok := f.Tag.Lookup("setting")
		if !ok {
			if f.Name != "Pos" {
				t.Errorf("Server.%s has no setting tag", f.Name)
			}
			continue
		}
		if _, ok := config.Lookup(config.ServerFields, name); !ok {
			t.Errorf("Server.%s is tagged %q, which ServerFields does not declare", f.Name, name)
		}
		tagged[name] = true
	}
	for _, f := range config.ServerFields {
		if !tagged[f.Name] {
			t.Errorf("no field of Server is tagged setting:%q", f.Name)
		}
	}
}

func TestRestartChanged(t *testing.T) {
	redis := func(url, key string) config.Adapter {
		return config.Adapter{Redis: &config.RedisAdapter{URL: url, Key: key}}
	}
	tests := []struct {
		name   string
		change func(a, b *config.Server)
		want   []string
	}{
		{"nothing", func(a, b *config.Server) {}, nil},
		{"listen", func(a, b *config.Server) { b.Listen = ":1" }, []string{"server.listen"}},
		{"path", func(a, b *config.Server) { b.Path = "/io" }, []string{"server.path"}},
		{"cors origins", func(a, b *config.Server) { a.Origins, b.Origins = []string{"x"}, []string{"y"} }, []string{"server.cors"}},
		{"cors origins added", func(a, b *config.Server) { b.Origins = []string{"x"} }, []string{"server.cors"}},
		{"cors nil and empty origins differ", func(a, b *config.Server) { b.Origins = []string{} }, []string{"server.cors"}},
		{"cors equal origins in other slices", func(a, b *config.Server) { a.Origins, b.Origins = []string{"x", "y"}, []string{"x", "y"} }, nil},
		{"cors origins reordered", func(a, b *config.Server) { a.Origins, b.Origins = []string{"x", "y"}, []string{"y", "x"} }, []string{"server.cors"}},
		{"cors credentials", func(a, b *config.Server) { b.Credentials = true }, []string{"server.cors"}},
		{"static applies on reload", func(a, b *config.Server) { b.Static = "/srv" }, nil},
		{"ping_interval", func(a, b *config.Server) { b.PingInterval = time.Second }, []string{"server.ping_interval"}},
		{"ping_timeout", func(a, b *config.Server) { b.PingTimeout = time.Second }, []string{"server.ping_timeout"}},
		{"connect_timeout", func(a, b *config.Server) { b.ConnectTimeout = time.Second }, []string{"server.connect_timeout"}},
		{"max_payload", func(a, b *config.Server) { b.MaxPayload = 1 }, []string{"server.max_payload"}},
		{"allow_eio3", func(a, b *config.Server) { b.AllowEIO3 = false }, []string{"server.allow_eio3"}},
		{"limits apply on reload", func(a, b *config.Server) {
			b.Limits.EventBurst = 1
			b.Limits.Events = map[string]config.EventLimit{"m": {PerSecond: 1, Burst: 1}}
		}, nil},
		{"adapter turned on", func(a, b *config.Server) { b.Adapter = redis("redis://h", "k") }, []string{"server.adapter"}},
		{"adapter turned off", func(a, b *config.Server) { a.Adapter = redis("redis://h", "k") }, []string{"server.adapter"}},
		{"redis compared by value", func(a, b *config.Server) { a.Adapter, b.Adapter = redis("redis://h", "k"), redis("redis://h", "k") }, nil},
		{"redis url", func(a, b *config.Server) { a.Adapter, b.Adapter = redis("redis://h", "k"), redis("redis://g", "k") }, []string{"server.adapter"}},
		{"redis key", func(a, b *config.Server) { a.Adapter, b.Adapter = redis("redis://h", "k"), redis("redis://h", "j") }, []string{"server.adapter"}},
		{"positions are not settings", func(a, b *config.Server) { b.Pos["listen"] = config.Pos{File: "c.yaml", Line: 3} }, nil},
		{"several, in declaration order", func(a, b *config.Server) {
			b.Adapter, b.MaxPayload, b.Static, b.Listen = redis("redis://h", "k"), 1, "/srv", ":1"
		}, []string{"server.listen", "server.max_payload", "server.adapter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := config.DefaultServer(), config.DefaultServer()
			tt.change(&a, &b)
			if got := config.RestartChanged(a, b); !slices.Equal(got, tt.want) {
				t.Errorf("RestartChanged(a, b) = %q, want %q", got, tt.want)
			}
			if got := config.RestartChanged(b, a); !slices.Equal(got, tt.want) {
				t.Errorf("RestartChanged(b, a) = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecoverySettings(t *testing.T) {
	f, err := config.Parse("t.yaml", []byte("version: 1\nserver:\n  recovery: {}\nnamespaces:\n  /: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := f.Server.Recovery; r == nil || r.MaxDisconnection != 2*time.Minute || !r.SkipConnect {
		t.Fatalf("recovery: {} = %+v, want 2m and skip_connect", r)
	}
	if f.Server.Limits.RecoveryBytes != 64<<20 {
		t.Fatalf("recovery_bytes = %d, want 64 MiB", f.Server.Limits.RecoveryBytes)
	}
	_, err = config.Parse("t.yaml", []byte("version: 1\nserver:\n  recovery: { max_disconnection: 30s }\n  adapter: { redis: {} }\nnamespaces:\n  /: {}\n"))
	if err == nil || !strings.Contains(err.Error(), "redis_streams") {
		t.Fatalf("recovery with adapter.redis: err = %v, want a refusal pointing at redis_streams", err)
	}
	f, err = config.Parse("t.yaml", []byte("version: 1\nserver:\n  recovery: { max_disconnection: 30s }\n  adapter: { redis_streams: { stream: s, maxlen: 50 } }\nnamespaces:\n  /: {}\n"))
	if err != nil {
		t.Fatalf("recovery with adapter.redis_streams: %v", err)
	}
	if a := f.Server.Adapter.RedisStreams; a == nil || a.Stream != "s" || a.MaxLen != 50 {
		t.Fatalf("redis_streams = %+v, want stream s and maxlen 50", a)
	}
}

// TestRedisStreamsRefusals: redis_streams is one cluster, alone, with sensible values.
func TestRedisStreamsRefusals(t *testing.T) {
	tests := []struct {
		name, adapter, want string
	}{
		{"both adapters", "{ redis: {}, redis_streams: {} }", "server.adapter.redis: a node joins one cluster: remove redis or redis_streams"},
		{"maxlen 0", "{ redis_streams: { maxlen: 0 } }", "server.adapter.redis_streams.maxlen: must be at least 1"},
		{"empty stream", "{ redis_streams: { stream: \"\" } }", "server.adapter.redis_streams.stream: must not be empty"},
		{"not a redis url", "{ redis_streams: { url: \"http://x\" } }", "server.adapter.redis_streams.url: must start with redis://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("t.yaml", []byte("version: 1\nserver:\n  adapter: "+tt.adapter+"\nnamespaces:\n  /: {}\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
