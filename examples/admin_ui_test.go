package examples_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// adminUIHash is a bcrypt hash of "s3cret" (cost 4).
const adminUIHash = "$2a$04$35TQGQ9C6MKKwAMez2Xsc.xZN4kLdzgA7I2qABWoq/YTy4tL5o0Xy"

// TestAdminUIInChromium: the chat example with server.admin (ui: true); Chromium opens the
// chat page in two tabs and ioroute's own /admin/ in a third, logs in, sees the two tabs'
// sockets with their rooms on the Sockets page, and disconnects one from the UI: that tab
// alone shows "disconnected" (test/node/admin-browser.mjs).
func TestAdminUIInChromium(t *testing.T) {
	node, script := testutil.NodeScript(t, "../test/node/admin-browser.mjs", "playwright-core", "socket.io-client")
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is not installed (%v): run `apt-get install -y chromium`", err)
	}
	src, err := os.ReadFile(filepath.Join("chat", "chat.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	static, err := filepath.Abs("chat")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(src), "  static: .\n", "  static: "+static+"\n  admin:\n    auth: { username: admin, password_hash: \""+adminUIHash+"\" }\n    ui: true\n", 1)
	if cfg == string(src) {
		t.Fatal("chat.yaml no longer has `static: .` under server")
	}
	path := filepath.Join(t.TempDir(), "chat.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := table.Load(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	logs := &testutil.SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := router.New(tb, router.Options{Listen: "127.0.0.1:0", Logger: logger, Stdout: logs})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close router: %v", err)
		}
	})
	shot := filepath.Join(t.TempDir(), "admin.png")
	if dir, err := filepath.Abs(filepath.Join("..", "artifacts")); err == nil && os.MkdirAll(dir, 0o755) == nil {
		shot = filepath.Join(dir, "admin-ui.png")
	}
	arg, _ := json.Marshal(map[string]any{"url": "http://" + r.Addr().String(), "namespace": "/chat",
		"username": "admin", "password": "s3cret", "pages": true, "screenshot": shot})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, string(arg))
	cmd.Dir = filepath.Dir(script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("browser:\n%s", out)
	if err != nil {
		t.Fatalf("admin UI in Chromium: %v\n%s\nrouter log:\n%s", err, stderr.String(), logs.String())
	}
	for _, want := range []string{`"check":"logged in","ok":true`, `"check":"sockets page lists both sockets","ok":true`,
		`"check":"disconnect from the UI","ok":true`, `"done":true`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("browser output lacks %s", want)
		}
	}
}
