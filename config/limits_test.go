package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// TestConfigLimits: a config past a limit gets one error, which says which limit and where,
// and blames aliases only when they are what passed it.
func TestConfigLimits(t *testing.T) {
	values := fmt.Sprint(config.MaxValues)
	var laughs strings.Builder
	laughs.WriteString("version: 1\nnamespaces: {}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&laughs, "x%d: &x%d [*x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	laughs.WriteString("server:\n  listen: 127.0.0.1:3001\n")
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"file too large", "version: 1\nnamespaces: {}\n" + strings.Repeat("#", config.MaxFileSize),
			"c.yaml:1: the file is 1.1 MiB, over the 1 MiB a config may have; make it smaller"},
		// the values: the top mapping, 1, {}, the list, then its items from line 4 on
		{"too many values written, no alias", "version: 1\nnamespaces: {}\nx:\n" + strings.Repeat("- 0\n", config.MaxValues),
			fmt.Sprintf("c.yaml:%d:3: the config has more than %s values (mappings, lists and scalars), the most one config may hold; it passes the limit here: make it smaller", 4+config.MaxValues-4, values)},
		{"aliases of aliases, and nothing about the valid blocks after them", laughs.String(),
			"c.yaml:7:45: x4[7]: alias *x3 takes the config past " + values + " values, the most one config may hold: each use of an alias copies what it refers to; refer to smaller values, or fewer times"},
		{"an alias inside what it refers to", "version: 1\nnamespaces: &a\n  /a: *a\n",
			"c.yaml:3:7: namespaces./a./a: alias *a refers to a value that contains it, so it would expand forever; refer to a value outside it"},
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

// TestLargeConfigWithinLimits: a config just under both limits, written as a generator would,
// loads.
func TestLargeConfigWithinLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nnamespaces:\n  /a:\n    on:\n")
	events := 0
	for ; b.Len() < config.MaxFileSize-200; events++ {
		fmt.Fprintf(&b, "      e%d:\n        - emit: { event: r%d, data: \"${{ data }}\" }\n", events, events)
	}
	f, err := config.Parse("c.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Namespaces[0].Handlers); got != events {
		t.Fatalf("%d handlers, want %d", got, events)
	}
}
