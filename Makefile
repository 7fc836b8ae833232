# make test: everything CI runs, on a fresh machine too.
# make chat: serve the chat example at http://127.0.0.1:3001

.PHONY: test chat chromium redis prometheus node-deps fuzz-smoke unused client-bundle

# Unused code (staticcheck's U1000), from the Go module proxy at a pinned version.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
unused:
	go run $(STATICCHECK) -checks U1000 ./...

test: chromium redis prometheus node-deps
	go vet ./...
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(MAKE) unused
	go run ./cmd/ioroute test ./examples/...
	go test -race -count=1 ./...
	$(MAKE) fuzz-smoke

# A few seconds of each fuzz target, so none rots; long runs: make fuzz-smoke FUZZTIME=10m
FUZZTIME ?= 5s
fuzz-smoke:
	go test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./router/table
	go test -run '^$$' -fuzz '^FuzzEventPath$$' -fuzztime $(FUZZTIME) ./router
	go test -run '^$$' -fuzz '^FuzzEventParts$$' -fuzztime $(FUZZTIME) ./router
	go test -run '^$$' -fuzz '^FuzzArgText$$' -fuzztime $(FUZZTIME) ./router
	go test -run '^$$' -fuzz '^FuzzClusterWire$$' -fuzztime $(FUZZTIME) ./internal/cluster/wire
	go test -run '^$$' -fuzz '^FuzzWSFrames$$' -fuzztime $(FUZZTIME) ./internal/ws
	go test -run '^$$' -fuzz '^FuzzTemplate$$' -fuzztime $(FUZZTIME) ./internal/tmpl
	go test -run '^$$' -fuzz '^FuzzEncodeOutgoing$$' -fuzztime $(FUZZTIME) ./actions

chat:
	go run ./cmd/ioroute run examples/chat/chat.yaml

# The browser tests use Debian's Chromium; as root it is installed when missing.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "install Chromium first: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

# The cluster tests start Debian's redis-server on free ports; as root it is installed when missing.
redis:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "install Redis first: sudo apt-get install redis-server"; exit 1; \
	  fi; \
	fi

# The metrics test scrapes the router with Debian's Prometheus; as root it is installed when
# missing (without it that one test is skipped, saying so).
prometheus:
	@if ! command -v prometheus >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; \
	  else \
	    echo "install Prometheus first: sudo apt-get install prometheus"; exit 1; \
	  fi; \
	fi

# The socket.io-client bundle the server serves (internal/clientbundle/dist), copied from the
# version test/node pins; run it after changing that pin (a test fails until then).
client-bundle: node-deps
	cp test/node/node_modules/socket.io-client/LICENSE internal/clientbundle/dist/
	cd test/node/node_modules/socket.io-client/dist && cp socket.io.js socket.io.js.map socket.io.min.js socket.io.min.js.map \
	  socket.io.esm.min.js socket.io.esm.min.js.map ../../../../../internal/clientbundle/dist/

# The Node test clients (socket.io-client 4 and 2, playwright-core) from the lock file.
node-deps: test/node/node_modules/.package-lock.json

test/node/node_modules/.package-lock.json: test/node/package-lock.json
	cd test/node && npm ci --no-audit --no-fund --loglevel=error

# make bench: the benchmark of BENCHMARKS.md — ioroute, the same chat hand-written on its engine,
# the hand-made raw-websocket chat (bench/rawws) and Node's socket.io, every scenario 3 times
# (about 25 minutes); writes bench/out/results-*.md, .jsonl and a chart, .svg. BENCH_FLAGS passes
# flags to bench/cmd/benchrun, e.g. BENCH_FLAGS='-reps 1 -scenarios 50x50'.
# make bench-smoke: 5 clients × 20 messages against ioroute; fails unless nothing was lost or
# duplicated (no timing assertion).
.PHONY: bench bench-smoke bench-cluster bench-scale bench-idle

bench:
	go run ./bench/cmd/benchrun $(BENCH_FLAGS)

bench-smoke:
	go run ./bench/cmd/benchrun -smoke

# make bench-idle: idle memory per websocket connection, 2,000 and 15,000 clients in /chat held
# past one heartbeat (bench/cmd/idlemem; BENCHMARKS.md, "Idle memory per connection").
bench-idle:
	go run ./bench/cmd/idlemem $(IDLE_FLAGS)

# make bench-cluster: cross-node fan-out, the chat with its clients on two ioroute nodes joined
# through Redis against one node, 3 repetitions of 50×50 (needs redis-server; about a minute).
bench-cluster: redis
	go run ./bench/cmd/clusterbench $(BENCH_FLAGS)

# make bench-scale: 100,000 websocket clients in /chat through 6 ioroute nodes on one Redis,
# from 10 load-generator processes on loopback source addresses 127.0.0.2-11: time to connect,
# RSS per connection, and 10 broadcasts' time until every client has them (a few minutes;
# README "Tuning for many connections"). Then the same with Node socket.io 4 and
# @socket.io/redis-adapter at SCALE_NODE_CLIENTS; fails when either lost, duplicated or failed
# to connect a client. SCALE_FLAGS passes flags to both, e.g.
# SCALE_FLAGS='-clients 20000' or '-kill-node' or '-stall 20'; results also go to
# bench/out/scale.jsonl.
SCALE_NODE_CLIENTS ?= 100000
bench-scale: redis node-deps
	@status=0; \
	go run ./bench/cmd/scalebench $(SCALE_FLAGS) || status=1; \
	go run ./bench/cmd/scalebench -server node -clients $(SCALE_NODE_CLIENTS) $(SCALE_FLAGS) || status=1; \
	exit $$status

# make soak: 5,000 chat users going round (connect, join a room, chat, leave, disconnect) for
# 3 minutes against `ioroute run examples/chat-rooms/chat-rooms.yaml`; reports the server's
# peak and final RSS, heap and goroutines, the disconnections the server ended (by reason,
# from its log), and fails if goroutines stay above the baseline once every user left.
# Not part of make test (go test runs a 20-user smoke of it). SOAK_FLAGS passes flags,
# e.g. SOAK_FLAGS='-users 1000 -duration 10m'. Raises ulimit -n to the hard limit.
.PHONY: soak

soak:
	go run ./bench/cmd/soak $(SOAK_FLAGS)
