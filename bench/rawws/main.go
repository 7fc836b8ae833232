// Command rawws is the benchmark's hand-made limit: the chat of examples/chat/chat.yaml with no
// engine and no config, only what the chat needs written by hand over raw websocket
// connections. Every `message` sent to /chat is re-broadcast as `new-message` to every socket
// of /chat, the sender included, as ioroute, handtuned and Node do it in the same benchmark.
//
// What it does by hand (Engine.IO 4 / Socket.IO 5, websocket transport only, no polling, no
// upgrades, no acknowledgements, no binary attachments):
//
//   - the open packet, then `40/chat,` answered with `40/chat,{"sid":...}` (and `40` for "/";
//     any other namespace is refused with `44`);
//   - one heartbeat ticker for every connection: `2` each ping interval, and a connection that
//     did not answer the previous ping with `3` is closed;
//   - `42/chat,["message",data]` in → `42/chat,["new-message",data]` to every /chat socket:
//     the frame is encoded once per broadcast and copied into each connection's queue;
//   - one writer goroutine per connection flushes its whole queue in a single write.
//
// It is a benchmark baseline, not a server to deploy: no origin check, no payload limits
// beyond the websocket reader's, no rate limits.
//
//	rawws [-listen 127.0.0.1:3003]
//
// It stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ioroute/ioroute/internal/profiling"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:3003", "address to listen on")
	ping := flag.Duration("ping-interval", 25*time.Second, "Engine.IO ping interval; a connection that misses one ping is closed")
	flag.Parse()
	defer profiling.Start(os.Stderr, "rawws")()

	h := newHub(*ping)
	defer h.close()
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", h)
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(os.Stderr, "rawws chat listening on %s\n", *listen)

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "rawws:", err)
			os.Exit(1)
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
}
