package soak

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
)

// Ended counts the sockets the server disconnected, by reason, from its log.
type Ended struct {
	// Reasons counts the logged disconnections by reason.
	Reasons map[string]int `json:"reasons,omitempty"`
	// LeftOut counts those the server's log sampling left out (more than its budget a
	// second): their reasons are not known.
	LeftOut int `json:"left_out,omitempty"`
}

// Total is every disconnection by the server, logged or left out.
func (e Ended) Total() int {
	n := e.LeftOut
	for _, c := range e.Reasons {
		n += c
	}
	return n
}

var (
	// a disconnection the server ended, in ioroute's text log:
	// msg=disconnected ... reason="ping timeout" ended_by=server ...
	endedLine = regexp.MustCompile(`\bmsg=disconnected .* reason=("(?:[^"\\]|\\.)*"|\S+) ended_by=server\b`)
	// the lines of those its sampling left out
	endedLeftOut = regexp.MustCompile(`\bmsg="connection log: \d+ lines left out \(more than \d+ disconnections by the server a second\)" left_out=(\d+)`)
)

// ServerEnded reads the text log of `ioroute run` (--log-level info or debug) and counts the
// sockets the server disconnected.
func ServerEnded(log io.Reader) (Ended, error) {
	e := Ended{Reasons: map[string]int{}}
	sc := bufio.NewScanner(log)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if m := endedLine.FindSubmatch(line); m != nil {
			reason := string(m[1])
			if u, err := strconv.Unquote(reason); err == nil {
				reason = u
			}
			e.Reasons[reason]++
		} else if m := endedLeftOut.FindSubmatch(line); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			e.LeftOut += n
		}
	}
	return e, sc.Err()
}
