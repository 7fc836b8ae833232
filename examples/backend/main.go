// Command backend is the message store of the examples/backend chat: ioroute asks it, through
// call steps, to store each message and for a room's history. It is a plain HTTP service that
// knows nothing of Socket.IO, as a real app's backend would be.
//
//	go run ./examples/backend -listen 127.0.0.1:8080
//
// With BACKEND_TOKEN set, requests must carry `Authorization: Bearer $BACKEND_TOKEN`.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on, host:port")
	flag.Parse()
	srv := &http.Server{Addr: *listen, Handler: newStore(os.Getenv("BACKEND_TOKEN")).handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("message store listening on http://%s", *listen)
	log.Fatal(srv.ListenAndServe())
}
