package scale

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Result is one scale run.
type Result struct {
	Server     string `json:"server"`
	Nodes      int    `json:"nodes"`
	Clients    int    `json:"clients"`
	Procs      int    `json:"procs"`
	LoadStart  string `json:"load_start"` // /proc/loadavg: 1, 5 and 15 minutes
	LoadEnd    string `json:"load_end"`
	Connected  int    `json:"connected"`
	Failed     int    `json:"failed"`
	FirstError string `json:"first_error,omitempty"`
	// ClosedS counts the reading clients whose connection ended, by the 10 s since the
	// clients started connecting in which it ended: [0, 10 s), [10 s, 20 s), …
	ClosedS []int `json:"closed_by_10s,omitempty"`
	// Phases: seconds since the clients started connecting when everyone was connected and
	// when the broadcasts started.
	ConnectedAtS  float64 `json:"connected_at_s"`
	BroadcastsAtS float64 `json:"broadcasts_at_s"`
	// Heartbeats as the clients saw them: the longest time between two pings, and how many
	// reading clients waited more than 30 s for one.
	MaxPingGapMs float64 `json:"max_ping_gap_ms"`
	PingLate     int     `json:"ping_late"`
	// PingOverdue: reading clients still connected at the end that had no ping for 30 s.
	PingOverdue int `json:"ping_overdue"`
	// ClosedPingMs: the connections that ended, ms from their last ping to the end (p50, max).
	ClosedPingP50Ms float64 `json:"closed_ping_p50_ms,omitempty"`
	ClosedPingMaxMs float64 `json:"closed_ping_max_ms,omitempty"`
	// FirstClose is the first error (from one worker) a client's connection ended with.
	FirstClose string `json:"first_close,omitempty"`
	// ConnectS: from telling the workers to connect until the last client's CONNECT.
	ConnectS float64 `json:"connect_s"`

	PerNode    []NodeResult `json:"per_node"`
	Broadcasts []float64    `json:"broadcast_last_ms"` // per broadcast: until its last receiver got it
	// over the broadcasts' last-receiver times, and over every delivery's latency
	LastP50Ms float64 `json:"last_p50_ms"`
	LastP99Ms float64 `json:"last_p99_ms"`
	LatP50Ms  float64 `json:"lat_p50_ms"`
	LatP99Ms  float64 `json:"lat_p99_ms"`
	// Lost and Dup count on the nodes that ran to the end; LostKilled on a killed node.
	Lost       int `json:"lost"`
	Dup        int `json:"dup"`
	LostKilled int `json:"lost_killed"`
	// Stalled clients, how many found their connection cut, and the nodes' queue-full lines.
	Stalled    int `json:"stalled"`
	StalledCut int `json:"stalled_cut"`
	QueueFull  int `json:"queue_full_logs"`
	// CPU seconds used during the broadcasts, by the nodes, the load generators and Redis.
	BroadcastPhaseS float64 `json:"broadcast_phase_s"`
	CPUNodesS       float64 `json:"cpu_nodes_s"`
	CPUWorkersS     float64 `json:"cpu_workers_s"`
	CPURedisS       float64 `json:"cpu_redis_s"`
	// CPU used at rest, after everyone connected (heartbeats), in cores: nodes, load generators.
	IdleNodesCPU   float64 `json:"idle_nodes_cpu"`
	IdleWorkersCPU float64 `json:"idle_workers_cpu"`
	// Deliveries recorded, and the CPU each cost (beyond the CPU at rest) the nodes and the load generators.
	Deliveries        int     `json:"deliveries"`
	NodeUsPerDelivery float64 `json:"node_us_per_delivery"`
	LoadUsPerDelivery float64 `json:"load_us_per_delivery"`
}

// NodeResult is one node's share.
type NodeResult struct {
	Node         int     `json:"node"`
	Clients      int     `json:"clients"`
	RSSBeforeMiB float64 `json:"rss_before_mib"`
	RSSAfterMiB  float64 `json:"rss_after_mib"`
	KiBPerConn   float64 `json:"kib_per_conn"`
	Lost         int     `json:"lost"`
	Dup          int     `json:"dup"`
	Closed       int     `json:"closed"`
	Killed       bool    `json:"killed"`
	Stalled      int     `json:"stalled"`
	StalledCut   int     `json:"stalled_cut"`
	QueueFull    int     `json:"queue_full_logs"`
	// Disconnections the node logged, by reason (ioroute at log level info; sampled)
	Disconnections map[string]int `json:"disconnections,omitempty"`
}

func (r *Result) summarize(cl *Cluster, b *board, before, after []int64, start int64) {
	r.PerNode = make([]NodeResult, len(cl.Nodes))
	for i, n := range cl.Nodes {
		nr := &r.PerNode[i]
		nr.Node, nr.Killed, nr.QueueFull, nr.Disconnections = i, n.killed, n.QueueFull(), n.Disconnections()
		nr.RSSBeforeMiB, nr.RSSAfterMiB = float64(before[i])/1024, float64(after[i])/1024
	}
	var lat []int32
	var closedPing []float64
	last := map[int]int64{}
	for _, wr := range b.reports {
		for i, c := range wr.Nodes {
			nr := &r.PerNode[i]
			nr.Clients += c.Clients
			nr.Lost += c.Lost
			nr.Dup += c.Dup
			nr.Closed += c.Closed
			nr.Stalled += c.Stalled
			nr.StalledCut += c.StalledCut
		}
		for q, at := range wr.Last {
			last[q] = max(last[q], at)
		}
		lat = append(lat, wr.LatUs...)
		for _, at := range wr.ClosedAt {
			i := max(0, int((at-start)/10e9))
			for len(r.ClosedS) <= i {
				r.ClosedS = append(r.ClosedS, 0)
			}
			r.ClosedS[i]++
		}
		r.MaxPingGapMs = max(r.MaxPingGapMs, wr.MaxPingGapMs)
		r.PingLate += wr.PingLate
		r.PingOverdue += wr.PingOverdue
		closedPing = append(closedPing, wr.ClosedPing...)
		if r.FirstClose == "" {
			r.FirstClose = wr.CloseErr
		}
	}
	for i := range r.PerNode {
		nr := &r.PerNode[i]
		if nr.Clients > 0 {
			nr.KiBPerConn = float64(after[i]-before[i]) / float64(nr.Clients)
		}
		if nr.Killed {
			r.LostKilled += nr.Lost
		} else {
			r.Lost += nr.Lost
		}
		r.Dup += nr.Dup
		r.Stalled += nr.Stalled
		r.StalledCut += nr.StalledCut
		r.QueueFull += nr.QueueFull
	}
	var lastMs []float64
	for q := range len(b.sentAt) {
		ms := math.NaN()
		if at, ok := last[q]; ok && at > 0 {
			ms = float64(at-b.sentAt[q]) / 1e6
			lastMs = append(lastMs, ms)
		}
		r.Broadcasts = append(r.Broadcasts, ms)
	}
	slices.Sort(lastMs)
	r.LastP50Ms, r.LastP99Ms = pct(lastMs, 50), pct(lastMs, 99)
	slices.Sort(closedPing)
	if len(closedPing) > 0 {
		r.ClosedPingP50Ms, r.ClosedPingMaxMs = pct(closedPing, 50), closedPing[len(closedPing)-1]
	}
	r.Deliveries = len(lat)
	if r.Deliveries > 0 {
		r.NodeUsPerDelivery = (r.CPUNodesS - r.IdleNodesCPU*r.BroadcastPhaseS) * 1e6 / float64(r.Deliveries)
		r.LoadUsPerDelivery = (r.CPUWorkersS - r.IdleWorkersCPU*r.BroadcastPhaseS) * 1e6 / float64(r.Deliveries)
	}
	slices.Sort(lat)
	latMs := make([]float64, len(lat))
	for i, v := range lat {
		latMs[i] = float64(v) / 1000
	}
	r.LatP50Ms, r.LatP99Ms = pct(latMs, 50), pct(latMs, 99)
}

// pct is the nearest-rank percentile of sorted values.
func pct(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(v)))) - 1
	return v[max(i, 0)]
}

// Print writes the run as Markdown tables.
func (r Result) Print(w io.Writer) {
	fmt.Fprintf(w, "%s, %d nodes, %d clients from %d processes; load average %s at the start, %s at the end\n\n",
		r.Server, r.Nodes, r.Clients, r.Procs, r.LoadStart, r.LoadEnd)
	fmt.Fprintln(w, "| node | clients | RSS before MiB | RSS after MiB | KiB per connection | lost | dup | closed | stalled (cut) | queue-full logs |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range r.PerNode {
		name := fmt.Sprint(n.Node)
		if n.Killed {
			name += " (killed)"
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.1f | %d | %d | %d | %d (%d) | %d |\n", name, n.Clients,
			n.RSSBeforeMiB, n.RSSAfterMiB, n.KiBPerConn, n.Lost, n.Dup, n.Closed, n.Stalled, n.StalledCut, n.QueueFull)
	}
	var each []string
	for _, ms := range r.Broadcasts {
		each = append(each, fmt.Sprintf("%.0f", ms))
	}
	fmt.Fprintf(w, "\n| figure | value |\n|---|---:|\n")
	fmt.Fprintf(w, "| connected (failed) | %d (%d) |\n", r.Connected, r.Failed)
	fmt.Fprintf(w, "| time to connect everyone | %.1f s |\n", r.ConnectS)
	fmt.Fprintf(w, "| broadcasts: time until the last receiver, p50 / p99 | %.0f / %.0f ms |\n", r.LastP50Ms, r.LastP99Ms)
	fmt.Fprintf(w, "| every delivery's latency, p50 / p99 | %.0f / %.0f ms |\n", r.LatP50Ms, r.LatP99Ms)
	fmt.Fprintf(w, "| each broadcast's last receiver, ms | %s |\n", strings.Join(each, ", "))
	fmt.Fprintf(w, "| lost / duplicated (nodes that ran to the end) | %d / %d |\n", r.Lost, r.Dup)
	if r.LostKilled > 0 || slices.ContainsFunc(r.PerNode, func(n NodeResult) bool { return n.Killed }) {
		fmt.Fprintf(w, "| lost on the killed node | %d |\n", r.LostKilled)
	}
	if r.Stalled > 0 {
		fmt.Fprintf(w, "| stalled clients cut / queue-full log lines | %d of %d / %d |\n", r.StalledCut, r.Stalled, r.QueueFull)
	}
	fmt.Fprintf(w, "| CPU during the broadcasts (%.1f s): nodes / load generators / Redis | %.1f / %.1f / %.1f s |\n",
		r.BroadcastPhaseS, r.CPUNodesS, r.CPUWorkersS, r.CPURedisS)
	fmt.Fprintf(w, "| CPU at rest (heartbeats): nodes / load generators | %.2f / %.2f cores |\n", r.IdleNodesCPU, r.IdleWorkersCPU)
	fmt.Fprintf(w, "| CPU per delivery beyond that: nodes / load generators | %.1f / %.1f µs |\n", r.NodeUsPerDelivery, r.LoadUsPerDelivery)
	for _, n := range r.PerNode {
		if len(n.Disconnections) > 0 {
			fmt.Fprintf(w, "| node %d logged disconnections (sampled) | %v |\n", n.Node, n.Disconnections)
		}
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "\nfirst connect error: %s\n", r.FirstError)
	}
	fmt.Fprintf(w, "\nheartbeats: the longest wait between two pings a client saw %.1f s; clients that waited more than 30 s: %d, and still waiting at the end: %d\n",
		r.MaxPingGapMs/1000, r.PingLate, r.PingOverdue)
	if len(r.ClosedS) > 0 {
		fmt.Fprintf(w, "connections that ended: from their last ping to the end, p50 %.1f s, max %.1f s\n", r.ClosedPingP50Ms/1000, r.ClosedPingMaxMs/1000)
		fmt.Fprintf(w, "\nconnections that ended, by 10 s since the clients started connecting (all connected at %.0f s, broadcasts from %.0f s): %v\n",
			r.ConnectedAtS, r.BroadcastsAtS, r.ClosedS)
	}
	if r.FirstClose != "" {
		fmt.Fprintf(w, "\na connection that ended: %s\n", r.FirstClose)
	}
}
