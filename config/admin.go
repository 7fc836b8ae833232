package config

import (
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Admin is the server side of the official Socket.IO Admin UI (@socket.io/admin-ui 0.5); nil
// when server.admin is not written.
type Admin struct {
	// Namespace is the admin namespace, "/admin" by default.
	Namespace string
	// Auth is the one user the UI logs in as; nil when auth: false is written.
	Auth *AdminAuth
	// Readonly leaves out emit, join, leave and disconnect from the UI.
	Readonly bool
	// Mode is "development" (every socket and event reported) or "production" (aggregated
	// counts only).
	Mode string
	// UI serves the UI's own build at /admin/.
	UI bool
	// Listen serves the admin namespace and the UI on a listener of their own; "" for the main one.
	Listen string
}

// AdminUIPrefix is where server.admin.ui serves the UI.
const AdminUIPrefix = "/admin/"

// AdminAuth is the admin user: a name and the bcrypt hash of its password.
type AdminAuth struct {
	Username     string
	PasswordHash string
}

// The admin modes.
const (
	AdminDevelopment = "development"
	AdminProduction  = "production"
)

// adminFields declares the keys of server.admin.
var adminFields = []Field{
	{Name: "namespace", Type: String, Default: "/admin", Doc: "The admin namespace the UI connects to."},
	{Name: "auth", Type: Value, Required: true, Doc: "The UI's login: `{ username: admin, password_hash: \"<bcrypt hash>\" }` " +
		"(make a hash with `ioroute passwd`; read it from the environment, `password_hash: ${{ env.IOROUTE_ADMIN_HASH }}`), " +
		"or `false` for no login, which must be written out."},
	{Name: "readonly", Type: Bool, Default: false, Doc: "true: the UI cannot emit, make sockets join or leave rooms, or disconnect them."},
	{Name: "mode", Type: String, Default: AdminDevelopment, Doc: "`development`: every socket and event is reported to the UI; `production`: aggregated counts only."},
	{Name: "ui", Type: Bool, Default: false, Doc: "Serve the Admin UI itself at /admin/ (offline, with this server's URL and namespace filled in). " +
		"Without it, point https://admin.socket.io at the server and allow that origin in server.cors."},
	{Name: "listen", Type: String, Doc: "Serve the admin namespace and the UI on a listener of their own, host:port (a loopback or private address)."},
}

// adminField declares server.admin, built at start.
var adminField = Field{Name: "admin", Type: Object, Fields: adminFields, Restart: true,
	Doc: "The server side of the official Socket.IO Admin UI (@socket.io/admin-ui 0.5): a namespace that shows the server's sockets, rooms and events " +
		"and can emit to, join, leave and disconnect sockets. Without it, no admin namespace.",
	Example: "admin:\n  auth: { username: admin, password_hash: \"${{ env.IOROUTE_ADMIN_HASH }}\" }\n  ui: true"}

// decodeAdmin reads server.admin, n.
func decodeAdmin(n *Node, s *Server, errs *Errors) {
	a := &Admin{}
	s.Admin = a
	for _, e := range withDefaults(n, adminFields) {
		v := e.Value
		switch e.Key {
		case "namespace":
			a.Namespace = v.Text
			if !strings.HasPrefix(v.Text, "/") || v.Text == "/" {
				errs.Add(v.Pos, v.Path, "must be a namespace name other than \"/\", such as \"/admin\"")
			}
		case "auth":
			a.Auth = decodeAdminAuth(v, errs)
		case "readonly":
			a.Readonly = v.Value.(bool)
		case "mode":
			a.Mode = v.Text
			if v.Text != AdminDevelopment && v.Text != AdminProduction {
				errs.Add(v.Pos, v.Path, "must be %q or %q, not %q", AdminDevelopment, AdminProduction, v.Text)
			}
		case "ui":
			a.UI = v.Value.(bool)
		case "listen":
			a.Listen = v.Text
			if v.Text == "" {
				errs.Add(v.Pos, v.Path, "must not be empty; write host:port, such as \"127.0.0.1:3003\", or leave listen out to serve the admin namespace on the main listener")
			}
		}
	}
}

// decodeAdminAuth reads server.admin.auth: false, or a username and a bcrypt hash.
func decodeAdminAuth(v *Node, errs *Errors) *AdminAuth {
	if b, ok := v.Value.(bool); ok && v.Kind == ScalarNode {
		if b {
			errs.Add(v.Pos, v.Path, "write `false` for no login, or { username, password_hash }")
		}
		return nil
	}
	if v.Kind != MapNode {
		errs.Add(v.Pos, v.Path, "expected { username, password_hash } or false, got %s", v.Describe())
		return nil
	}
	fields := []Field{{Name: "username", Type: String, Required: true}, {Name: "password_hash", Type: String, Required: true}}
	if !CheckFields(v, fields, errs) {
		return nil
	}
	a := &AdminAuth{Username: v.Get("username").Text, PasswordHash: v.Get("password_hash").Text}
	if a.Username == "" {
		errs.Add(v.Pos, v.Path+".username", "must not be empty")
	}
	if _, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil {
		h := v.Get("password_hash")
		errs.Add(h.Pos, h.Path, "is not a bcrypt hash (it starts with $2a$, $2b$ or $2y$); make one with `ioroute passwd`")
	}
	return a
}

// checkAdminNamespace refuses an admin namespace that the config also declares.
func checkAdminNamespace(f *File, root *Node, errs *Errors) {
	a := f.Server.Admin
	if a == nil {
		return
	}
	path := strings.TrimRight(f.Server.Path, "/") + "/"
	if a.UI && a.Listen == "" && strings.HasPrefix(path, AdminUIPrefix) {
		n := root.Get("server").Get("admin")
		errs.Add(n.Pos, n.Path, "the Admin UI is served under %s of the main listener, where server.path is too; move server.path, or give the admin its own listen address", AdminUIPrefix)
	}
	for _, ns := range f.Namespaces {
		if ns.Name == a.Namespace {
			pos := ns.Pos
			errs.Add(pos, ns.Path, "namespace %s is server.admin's namespace; rename one of them (server.admin.namespace sets the admin's)", ns.Name)
		}
	}
}
