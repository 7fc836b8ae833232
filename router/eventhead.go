package router

import "strconv"

// eventHead reads the namespace and the event name at the start of an encoded Socket.IO
// EVENT or BINARY_EVENT packet (`2/chat,12["message",…]`, `51-["upload",…]`), without
// decoding the rest: the arrival count (arrivals) needs them before the engine has decoded
// the packet. ok is false for a packet of another type. A name it cannot read (not a string,
// cut short) is "", which rates count under the shared budget.
func eventHead(b []byte) (nsp, event string, ok bool) {
	if len(b) == 0 || (b[0] != '2' && b[0] != '5') {
		return "", "", false
	}
	i := 1
	if b[0] == '5' { // the count of attachments: digits and '-'
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i < len(b) && b[i] == '-' {
			i++
		}
	}
	nsp = "/"
	if i < len(b) && b[i] == '/' {
		start := i
		for i < len(b) && b[i] != ',' {
			i++
		}
		nsp = string(b[start:i])
		if i < len(b) {
			i++ // the comma
		}
	}
	for i < len(b) && b[i] >= '0' && b[i] <= '9' { // the acknowledgement id
		i++
	}
	if i >= len(b) || b[i] != '[' {
		return nsp, "", true
	}
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return nsp, "", true
	}
	start, escaped := i, false
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				return nsp, string(b[start+1 : i]), true
			}
			name, err := strconv.Unquote(string(b[start : i+1]))
			if err != nil {
				return nsp, "", true
			}
			return nsp, name, true
		}
	}
	return nsp, "", true
}
