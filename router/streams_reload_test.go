package router_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/testutil"
)

// TestStreamsFollowsReload: a namespace added by a reload of one node of a redis_streams
// cluster hears the other nodes' broadcasts, with the entry's id as its offset (recovery on),
// and its own broadcasts reach them.
func TestStreamsFollowsReload(t *testing.T) {
	rd := testutil.StartRedis(t)
	base := fmt.Sprintf(`
version: 1
server:
  adapter:
    redis_streams: { url: %q }
  recovery: { max_disconnection: 30s }
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
`, rd.URL)
	extra := base + `
  /extra:
    on:
      shout:
        - broadcast: { event: heard, data: "${{ data }}" }
`
	n1 := startRouter(t, base)
	n2 := startRouter(t, extra)
	n1.reload(t, extra)
	a := n1.dial(t, "/extra", dialOpts{})
	b := n2.dial(t, "/extra", dialOpts{})
	for _, c := range []struct {
		from *client
		text string
	}{{b, "from n2"}, {a, "from n1"}} {
		c.from.emit("shout", c.text)
		for _, to := range []*client{a, b} {
			got := to.expect(t, "heard")
			offset, _ := got[len(got)-1].(string)
			if len(got) != 2 || got[0] != c.text || !strings.Contains(offset, "-") {
				t.Fatalf("heard %v, want %q and a stream id as its offset", got, c.text)
			}
		}
	}
}
