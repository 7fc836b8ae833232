package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, tt := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"release", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4d3fac7a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"}, {Key: "vcs.time", Value: "2026-11-28T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			"ioroute v1.2.0, commit 4d3fac7a0b1c (2026-11-28T10:00:00Z), go1.26.8 " + platform},
		{"work tree with changes", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4d3fac7"}, {Key: "vcs.modified", Value: "true"}}},
			"ioroute (devel), commit 4d3fac7, modified, go1.26.8 " + platform},
		{"no vcs", debug.BuildInfo{GoVersion: "go1.26.8"}, "ioroute (devel), commit unknown, go1.26.8 " + platform},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatVersion(&tt.info); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestVersionCommand prints the test binary's own build information, whose Go version is
// the running one.
func TestVersionCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"version"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if line := out.String(); !strings.HasPrefix(line, "ioroute ") || !strings.Contains(line, runtime.Version()) || !strings.HasSuffix(line, "\n") {
		t.Errorf("version printed %q", line)
	}
}
