package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// TestStaticFolder: server.static must name a folder, found from the config file's folder.
func TestStaticFolder(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"site", "sub"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "site", "index.html"), []byte("<p>hi</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "c.yaml")
	tests := []struct {
		name   string
		static string
		want   string // the folder served, or else the error
		err    bool
	}{
		{"folder next to the config", "site", filepath.Join(dir, "site"), false},
		{"the config's own folder", ".", dir, false},
		{"relative to the config, not to the working directory", "../" + filepath.Base(dir) + "/sub", filepath.Join(dir, "sub"), false},
		{"absolute", filepath.Join(dir, "site"), filepath.Join(dir, "site"), false},
		{"missing folder", "./nope",
			name + `:3:11: server.static: folder "` + filepath.Join(dir, "nope") + `" does not exist (a relative path starts at the config file's folder); create it, or correct the path`, true},
		{"a file", "site/index.html",
			name + `:3:11: server.static: "` + filepath.Join(dir, "site", "index.html") + `" is a file, not a folder; name the folder to serve, such as "` + filepath.Join(dir, "site") + `"`, true},
		{"below a file", "site/index.html/x",
			name + `:3:11: server.static: folder "` + filepath.Join(dir, "site", "index.html", "x") + `" does not exist (a relative path starts at the config file's folder); create it, or correct the path`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := config.Parse(name, []byte("version: 1\nserver:\n  static: "+tt.static+"\nnamespaces: {}\n"))
			switch {
			case tt.err && (err == nil || err.Error() != tt.want):
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			case !tt.err && err != nil:
				t.Fatal(err)
			case !tt.err && f.Server.Static != tt.want:
				t.Fatalf("Static = %q, want %q", f.Server.Static, tt.want)
			}
		})
	}
}
