package scale

// The control channel between the parent (Run) and its load-generator processes: one JSON
// object a line, commands on the worker's stdin, answers on its stdout. Timestamps are
// time.Now().UnixNano(): every process runs on the same machine, so they compare.

// command is one line the parent writes to a worker.
type command struct {
	Cmd string `json:"cmd"` // "start", "send", "flood", "resume", "report", "quit"

	// start
	Job *job `json:"job,omitempty"`
	// send: the broadcast's sequence number
	Q int `json:"q,omitempty"`
	// flood: messages of Size bytes to the stalled clients' room
	Count int `json:"count,omitempty"`
	Size  int `json:"size,omitempty"`
}

// job is what one worker connects: clients First..First+Count-1, client i on
// URLs[i%len(URLs)], every socket bound to Source (a loopback address of its own, so each
// worker has the whole ephemeral port range towards every node).
type job struct {
	URLs      []string `json:"urls"`
	First     int      `json:"first"`
	Count     int      `json:"count"`
	Source    string   `json:"source"`
	Namespace string   `json:"namespace"`
	// Broadcasts is how many broadcasts the run sends (sequence numbers 0..Broadcasts-1).
	Broadcasts int `json:"broadcasts"`
	// Stalled clients (ids First..First+Count-1 that are below StallBelow and above 0) join
	// StallRoom and then stop reading.
	StallBelow int    `json:"stall_below"`
	StallRoom  string `json:"stall_room"`
	// InFlight bounds concurrent handshakes; ConnectTimeoutS bounds the whole connect phase.
	InFlight        int     `json:"in_flight"`
	ConnectTimeoutS float64 `json:"connect_timeout_s"`
}

// answer is one line a worker writes to the parent.
type answer struct {
	Type string `json:"type"` // "connected", "sent", "done", "flooded", "report", "error"

	// connected
	OK        int    `json:"ok,omitempty"`
	Failed    int    `json:"failed,omitempty"`
	FirstErr  string `json:"first_err,omitempty"`
	ConnectNs int64  `json:"connect_ns,omitempty"` // when the last client got its CONNECT
	// sent, done: the broadcast
	Q int `json:"q,omitempty"`
	// sent: when the sender wrote it
	At int64 `json:"at,omitempty"`
	// report
	Report *workerReport `json:"report,omitempty"`
	// error
	Err string `json:"err,omitempty"`
}

// workerReport is what a worker's clients saw, grouped by node index.
type workerReport struct {
	Nodes []nodeCount `json:"nodes"`
	// Last[q] is when the last of this worker's clients got broadcast q (0: none did).
	Last []int64 `json:"last"`
	// ClosedAt is when each reading client whose connection ended saw it end.
	ClosedAt []int64 `json:"closed_at,omitempty"`
	// MaxPingGapMs is the longest time a reading client saw between two pings; PingLate
	// counts the reading clients that saw a gap of more than LateGapMs.
	MaxPingGapMs float64 `json:"max_ping_gap_ms"`
	PingLate     int     `json:"ping_late"`
	// PingOverdue counts the reading clients still connected at the report whose last ping
	// (or connection, with none) is more than LateGapMs old: the server stopped pinging them.
	PingOverdue int `json:"ping_overdue"`
	// ClosedPing: for each reading client whose connection ended, ms from its last ping (or,
	// with none, from its connection) to the end.
	ClosedPing []float64 `json:"closed_ping_ms,omitempty"`
	// CloseErr is the first error a reading client's connection ended with.
	CloseErr string `json:"close_err,omitempty"`
	// LatUs is every delivery's latency (receive time minus the send time in the payload), µs.
	LatUs []int32 `json:"lat_us"`
}

// nodeCount is one node's clients as one worker saw them.
type nodeCount struct {
	Clients int `json:"clients"`
	// Lost counts (client, broadcast) pairs not received by clients that read (not stalled).
	Lost int `json:"lost"`
	// Dup counts deliveries received a second time.
	Dup int `json:"dup"`
	// Closed counts reading clients whose connection ended before the report.
	Closed int `json:"closed"`
	// Stalled clients, and how many of them found their connection closed by the server
	// when they read again after the run.
	Stalled    int `json:"stalled"`
	StalledCut int `json:"stalled_cut"`
}
