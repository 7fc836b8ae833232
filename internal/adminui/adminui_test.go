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
}
