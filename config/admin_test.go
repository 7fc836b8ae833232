package config_test

import (
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// a bcrypt hash of "s3cret" (cost 4).
const testAdminHash = "$2a$04$35TQGQ9C6MKKwAMez2Xsc.xZN4kLdzgA7I2qABWoq/YTy4tL5o0Xy"

// TestAdminSettings: server.admin's defaults, auth read from the environment or written
// out as false, and the load-time checks.
func TestAdminSettings(t *testing.T) {
	t.Setenv("IOROUTE_TEST_ADMIN_HASH", testAdminHash)
	f, err := config.Parse("c.yaml", []byte("version: 1\nserver:\n  admin:\n    auth: { username: admin, password_hash: \"${{ env.IOROUTE_TEST_ADMIN_HASH }}\" }\nnamespaces: { /chat: }\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := f.Server.Admin
	if a == nil || a.Namespace != "/admin" || a.Mode != "development" || a.Readonly || a.UI || a.Listen != "" ||
		a.Auth == nil || a.Auth.Username != "admin" || a.Auth.PasswordHash != testAdminHash {
		t.Fatalf("admin = %+v", a)
	}
	f, err = config.Parse("c.yaml", []byte("version: 1\nserver:\n  admin: { auth: false, namespace: /ops, mode: production, readonly: true, ui: true }\nnamespaces: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a := f.Server.Admin; a.Auth != nil || a.Namespace != "/ops" || a.Mode != "production" || !a.Readonly || !a.UI {
		t.Fatalf("admin = %+v", a)
	}
	if f, _ := config.Parse("c.yaml", []byte("version: 1\nnamespaces: {}\n")); f.Server.Admin != nil {
		t.Fatal("admin without server.admin")
	}
	bad := []struct{ server, want string }{
		{"admin: { readonly: true }", `missing required field "auth"`},
		{"admin: { auth: true }", "write `false`"},
		{"admin: { auth: { username: admin, password_hash: plain } }", "is not a bcrypt hash"},
		{"admin: { auth: { username: admin } }", `missing required field "password_hash"`},
		{"admin: { auth: false, mode: dev }", `must be "development" or "production"`},
		{"admin: { auth: false, namespace: /chat }", "namespace /chat is server.admin's namespace"},
		{"admin: { auth: false, namespace: / }", "other than \"/\""},
		{"admin: { auth: false, ui: true }\n  path: /admin", "where server.path is too"},
	}
	for _, c := range bad {
		_, err := config.Parse("c.yaml", []byte("version: 1\nserver:\n  "+c.server+"\nnamespaces: { /chat: }\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.server, err, c.want)
		}
	}
}
