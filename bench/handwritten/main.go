// Command handwritten is the benchmark's baseline: the chat of examples/chat/chat.yaml written
// by hand on the same engine ioroute uses (github.com/zishang520/socket.io servers/socket/v3),
// with nothing of ioroute's config layer in between. Every `message` sent to /chat is
// re-broadcast as `new-message` to every socket of /chat, the sender included.
//
// By default the engine runs with its own settings. With -tuned it runs on the write path
// ioroute serves with (engine.TuneEngine of internal/engine: broadcasts encoded once, batched websocket writes),
// so the benchmark can compare ioroute with hand-written code on the same engine path.
//
//	handwritten [-listen 127.0.0.1:3002] [-tuned]
//
// It stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	ioengine "github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/profiling"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:3002", "address to listen on")
	tuned := flag.Bool("tuned", false, "use ioroute's engine write path (engine.TuneEngine of internal/engine)")
	flag.Parse()
	defer profiling.Start(os.Stderr, "handwritten")()

	opts := sio.DefaultServerOptions()
	opts.SetServeClient(false)
	opts.SetAllowEIO3(true) // socket.io-client 2.x, as ioroute accepts by default
	opts.SetTransports(types.NewSet(engine.Polling, engine.WebSocket))
	if *tuned {
		ioengine.TuneEngine(opts, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	}
	io := sio.NewServer(nil, opts)

	chat := io.Of("/chat", nil)
	_ = chat.On("connection", func(args ...any) {
		socket := args[0].(*sio.Socket)
		_ = socket.On("message", func(data ...any) {
			if len(data) > 0 {
				_ = chat.Emit("new-message", data[0])
			}
		})
	})

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io.ServeHandler(nil))
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(os.Stderr, "handwritten chat listening on %s\n", *listen)

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "handwritten:", err)
			os.Exit(1)
		}
	case <-ctx.Done():
	}
	closed := make(chan struct{})
	io.Close(func(error) { close(closed) })
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
}
