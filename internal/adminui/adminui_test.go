package adminui

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerServesTheUI(t *testing.T) {
	srv := httptest.NewServer(Handler("/socket.io", "/admin"))
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("/admin/")
	if code != 200 || !strings.Contains(body, `localStorage.setItem("server_url",location.origin)`) ||
		!strings.Contains(body, `"namespace":"/admin"`) || strings.Contains(body, "https://") {
		t.Fatalf("index: %d %s", code, body)
	}
	if code, body := get("/admin/LICENSE"); code != 200 || !strings.Contains(body, "The Socket.IO team") {
		t.Fatalf("license: %d %s", code, body)
	}
	if code, _ := get("/admin/favicon.png"); code != 200 {
		t.Fatalf("favicon: %d", code)
	}
	if !strings.Contains(body, `href="mdi/css/materialdesignicons.min.css"`) {
		t.Fatalf("index does not link the embedded icon font: %s", body)
	}
	if code, css := get("/admin/mdi/css/materialdesignicons.min.css"); code != 200 || !strings.Contains(css, "materialdesignicons-webfont.woff2") {
		t.Fatalf("icon css: %d", code)
	}
	if code, _ := get("/admin/mdi/fonts/materialdesignicons-webfont.woff2"); code != 200 {
		t.Fatalf("icon font: %d", code)
	}
	if code, lic := get("/admin/LICENSE-mdi"); code != 200 || !strings.Contains(lic, "Pictogrammers") {
		t.Fatalf("icon license: %d", code)
	}
}
