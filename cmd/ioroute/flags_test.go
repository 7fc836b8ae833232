package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		positional []string
		watch      bool
		listen     string
	}{
		{"flags first", []string{"--watch", "--listen", ":1", "chat.yaml"}, []string{"chat.yaml"}, true, ":1"},
		{"flags after the file", []string{"chat.yaml", "--watch"}, []string{"chat.yaml"}, true, ""},
		{"both sides", []string{"--listen=:2", "chat.yaml", "--watch"}, []string{"chat.yaml"}, true, ":2"},
		{"two files", []string{"a.yaml", "--watch", "b.yaml"}, []string{"a.yaml", "b.yaml"}, true, ""},
		{"-- ends the flags", []string{"--", "--watch"}, []string{"--watch"}, false, ""},
		{"no arguments", nil, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("run", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			watch := fs.Bool("watch", false, "")
			listen := fs.String("listen", "", "")
			got, err := parseInterspersed(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.positional) || *watch != tt.watch || *listen != tt.listen {
				t.Fatalf("positional %q watch %v listen %q; want %q %v %q", got, *watch, *listen, tt.positional, tt.watch, tt.listen)
			}
		})
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseInterspersed(fs, []string{"chat.yaml", "--nope"}); err == nil {
		t.Fatal("an unknown flag after the file was accepted")
	}
}
