package config_test

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/config"
)

// TestOpsSettings reads the settings for operating ioroute, written and left out.
func TestOpsSettings(t *testing.T) {
	for _, tt := range []struct {
		name   string
		server string
		check  func(t *testing.T, s config.Server)
	}{
		{"defaults", "", func(t *testing.T, s config.Server) {
			if !s.ServeClient || s.Metrics != nil || len(s.TrustProxy) != 0 || s.ShutdownDrain != 5*time.Second {
				t.Errorf("serve_client %v, metrics %v, trust_proxy %v, shutdown_drain %v", s.ServeClient, s.Metrics, s.TrustProxy, s.ShutdownDrain)
			}
		}},
		{"metrics written empty listens on loopback", "server: { metrics: {} }\n", func(t *testing.T, s config.Server) {
			if s.Metrics == nil || s.Metrics.Listen != config.DefaultMetricsListen {
				t.Errorf("metrics = %+v, want listen %s", s.Metrics, config.DefaultMetricsListen)
			}
		}},
		{"metrics listen", "server: { metrics: { listen: \"0.0.0.0:9000\" } }\n", func(t *testing.T, s config.Server) {
			if s.Metrics == nil || s.Metrics.Listen != "0.0.0.0:9000" {
				t.Errorf("metrics = %+v", s.Metrics)
			}
		}},
		{"serve_client off, no drain", "server: { serve_client: false, shutdown_drain: 0s }\n", func(t *testing.T, s config.Server) {
			if s.ServeClient || s.ShutdownDrain != 0 {
				t.Errorf("serve_client %v, shutdown_drain %v", s.ServeClient, s.ShutdownDrain)
			}
		}},
		{"trust_proxy CIDRs and addresses", "server: { trust_proxy: [\"10.1.2.3/8\", \"127.0.0.1\", \"::1\", \"fd00::/8\"] }\n", func(t *testing.T, s config.Server) {
			want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"),
				netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fd00::/8")}
			if !slices.Equal(s.TrustProxy, want) {
				t.Errorf("trust_proxy = %v, want %v", s.TrustProxy, want)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := config.Parse("c.yaml", []byte("version: 1\n"+tt.server+"namespaces: {}\n"))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, f.Server)
		})
	}
}

// TestOpsSettingErrors reports bad values at their position.
func TestOpsSettingErrors(t *testing.T) {
	for _, tt := range []struct {
		name, server, want string
	}{
		{"bad CIDR", "server: { trust_proxy: [\"10.0.0.0/33\"] }\n", `server.trust_proxy[0]: "10.0.0.0/33" is not an address or a CIDR`},
		{"a name", "server: { trust_proxy: [proxy.local] }\n", `server.trust_proxy[0]: "proxy.local" is not an address or a CIDR`},
		{"empty listen", "server: { metrics: { listen: \"\" } }\n", "server.metrics.listen: must not be empty"},
		{"unknown metrics key", "server: { metrics: { path: /m } }\n", "server.metrics.path: unknown field (known: listen)"},
		{"drain not a duration", "server: { shutdown_drain: 5 }\n", "server.shutdown_drain: expected a duration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte("version: 1\n"+tt.server+"namespaces: {}\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestOpsRestart checks what each setting's spec declares: only the metrics listener needs
// a restart.
func TestOpsRestart(t *testing.T) {
	a := config.DefaultServer()
	b := a
	b.ServeClient, b.ShutdownDrain = false, 0
	b.TrustProxy = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if got := config.RestartChanged(a, b); len(got) != 0 {
		t.Errorf("serve_client, shutdown_drain and trust_proxy apply on reload; RestartChanged = %v", got)
	}
	b.Metrics = &config.Metrics{Listen: config.DefaultMetricsListen}
	if got := config.RestartChanged(a, b); !reflect.DeepEqual(got, []string{"server.metrics"}) {
		t.Errorf("RestartChanged = %v, want [server.metrics]", got)
	}
}
