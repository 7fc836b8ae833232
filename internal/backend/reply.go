package backend

import (
	"bytes"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"strings"
)

// headers lists a reply's headers as expressions read them, as socket.handshake.headers does:
// names in lower case, the first value of each.
func headers(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[strings.ToLower(k)] = v[0]
		}
	}
	return out
}

// decode reads a body as the config sees it: a JSON reply (application/json, or any
// +json type) as its value, any other reply as text, no body as nil. A reply that says it is
// JSON and is not stays text, so a step can still show it.
func decode(contentType string, body []byte) any {
	if len(body) == 0 {
		return nil
	}
	if isJSON(contentType) {
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&v); err == nil && !dec.More() {
			return integral(v)
		}
	}
	return string(body)
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// maxExactInt is the largest integer a float64 holds exactly, 2^53.
const maxExactInt = 1 << 53

// integral makes integral numbers within ±2^53 ints, as the router does with what clients
// send, so that `response.body.id == 5` and `list[response.body.i]` work.
func integral(v any) any {
	switch x := v.(type) {
	case float64:
		if x >= -maxExactInt && x <= maxExactInt && x == math.Trunc(x) {
			return int(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = integral(e)
		}
	case []any:
		for i, e := range x {
			x[i] = integral(e)
		}
	}
	return v
}
