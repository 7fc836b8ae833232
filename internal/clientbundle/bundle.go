// Package clientbundle serves socket.io-client's browser bundle, embedded in the binary, as
// Node's socket.io does with serveClient: a page can load `<path>/socket.io.min.js` from the
// server it talks to, with no CDN.
//
// dist/ is a copy of socket.io-client's dist/ (the msgpack builds left out: ioroute speaks
// the default JSON parser), with its LICENSE; `make client-bundle` refreshes it from
// test/node/node_modules, and a test fails when its version is not the one test/node pins.
package clientbundle

import (
	"bytes"
	"compress/gzip"
	"embed"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

//go:embed dist
var dist embed.FS

// Files are the names served, as Node's socket.io serves them under its path.
var Files = []string{
	"socket.io.js", "socket.io.js.map",
	"socket.io.min.js", "socket.io.min.js.map",
	"socket.io.esm.min.js", "socket.io.esm.min.js.map",
}

// Version is the embedded client's version, read from its banner ("Socket.IO v4.8.1").
var Version = func() string {
	b, err := dist.ReadFile("dist/socket.io.js")
	if err != nil {
		panic("clientbundle: " + err.Error())
	}
	m := regexp.MustCompile(`Socket\.IO v(\S+)`).FindSubmatch(b)
	if m == nil {
		panic("clientbundle: dist/socket.io.js has no version banner")
	}
	return string(m[1])
}()

// file is one served file, with its gzip form made on first request.
type file struct {
	name    string
	body    []byte
	ctype   string
	gzOnce  sync.Once
	gzipped []byte
}

var files = func() map[string]*file {
	m := make(map[string]*file, len(Files))
	for _, name := range Files {
		b, err := dist.ReadFile("dist/" + name)
		if err != nil {
			panic("clientbundle: " + err.Error())
		}
		ctype := "application/javascript; charset=utf-8"
		if strings.HasSuffix(name, ".map") {
			ctype = "application/json; charset=utf-8"
		}
		m[name] = &file{name: name, body: b, ctype: ctype}
	}
	return m
}()

// gz is the file gzipped, at the best compression: it is made once per process.
func (f *file) gz() []byte {
	f.gzOnce.Do(func() {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = w.Write(f.body)
		_ = w.Close()
		f.gzipped = buf.Bytes()
	})
	return f.gzipped
}

// etag is the bundle's entity tag. Node's socket.io uses its own version, which fixes the
// client it bundles; here the client's version does.
var etag = `"` + Version + `"`

// Serve answers a request for the file name (one of Files) as Node's socket.io does: 304
// when If-None-Match holds the ETag (strong or weak), else the file with Cache-Control
// "public, max-age=0" (browsers revalidate each time, and get 304 while the version is the
// same), gzipped when the client accepts gzip. Only GET and HEAD are allowed. It reports
// false, answering nothing, for a name not in Files.
func Serve(w http.ResponseWriter, req *http.Request, name string) bool {
	f, ok := files[name]
	if !ok {
		return false
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return true
	}
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if inm := req.Header.Get("If-None-Match"); inm == etag || inm == "W/"+etag {
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	h.Set("Cache-Control", "public, max-age=0")
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", etag)
	body := f.body
	if acceptsGzip(req.Header.Get("Accept-Encoding")) {
		body = f.gz()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if req.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
	return true
}

// acceptsGzip tells whether an Accept-Encoding header accepts gzip: named with a q above 0,
// or, when not named, "*" with a q above 0.
func acceptsGzip(header string) bool {
	gz, star := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gz = max(gz, q)
		case "*":
			star = max(star, q)
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}
