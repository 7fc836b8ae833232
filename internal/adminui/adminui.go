// Package adminui embeds the official Socket.IO Admin UI (the `ui/dist` build of npm
// @socket.io/admin-ui 0.5.1, MIT, see LICENSE; its source maps left out) and serves it for
// server.admin.ui, with this server's URL, path and admin namespace filled in. The icon font
// the UI links from a CDN is embedded too (npm @mdi/font 7.4.47, its minified CSS and woff2
// font, in dist/mdi; Pictogrammers Free License, see LICENSE-mdi); the Roboto text font is
// left out (the page falls back to the system's sans-serif).
//
// To update it: `npm install` in test/node with the new version, then copy
// node_modules/@socket.io/admin-ui/ui/dist (without *.map) to dist/ and its LICENSE here;
// `npm install @mdi/font@VERSION` elsewhere, and copy css/materialdesignicons.min.css and
// fonts/materialdesignicons-webfont.woff2 to dist/mdi/css and dist/mdi/fonts.
package adminui

import (
	"bytes"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed dist LICENSE LICENSE-mdi
var files embed.FS

// Version is the @socket.io/admin-ui release embedded.
const Version = "0.5.1"

// License is the UI's license text.
func License() []byte {
	b, _ := files.ReadFile("LICENSE")
	return b
}

// Prefix is where the UI is served.
const Prefix = "/admin/"

// Handler serves the UI under Prefix. Its page is told the server (the page's own origin),
// the Socket.IO path and the admin namespace, unless the browser already keeps a server of
// its own choosing for this page.
func Handler(path, namespace string) http.Handler {
	dist, err := fs.Sub(files, "dist")
	if err != nil {
		panic(err)
	}
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		panic(err)
	}
	index = page(index, path, namespace)
	static := http.StripPrefix(Prefix, http.FileServer(http.FS(dist)))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rest := strings.TrimPrefix(req.URL.Path, Prefix)
		switch rest {
		case "", "index.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(index)
		case "LICENSE":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write(License())
		case "LICENSE-mdi":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			b, _ := files.ReadFile("LICENSE-mdi")
			_, _ = w.Write(b)
		default:
			static.ServeHTTP(w, req)
		}
	})
}

// page is the UI's index.html with the settings script, its icon font served with it and
// without the text font it would fetch from a CDN (the UI is served offline).
func page(index []byte, path, namespace string) []byte {
	cfg, _ := json.Marshal(map[string]string{"path": path, "namespace": namespace})
	script := `<script>(function(c){try{if(!localStorage.getItem("server_url")){localStorage.setItem("server_url",location.origin);` +
		`localStorage.setItem("namespace",c.namespace);localStorage.setItem("path",c.path);}}catch(e){}})(` + string(cfg) + `)</script>`
	index = bytes.Replace(index, []byte(`<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto:100,300,400,500,700,900">`), nil, 1)
	index = bytes.Replace(index, []byte(`<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@mdi/font@latest/css/materialdesignicons.min.css">`),
		[]byte(`<link rel="stylesheet" href="mdi/css/materialdesignicons.min.css">`), 1)
	return bytes.Replace(index, []byte("<script "), []byte(script+"<script "), 1)
}
