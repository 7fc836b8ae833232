package router

import "strconv"

// packetHead splits an encoded Socket.IO EVENT or BINARY_EVENT packet (`2/chat,12[…]`,
// `51-[…]`) into its namespace (bytes of b, "/" when it names none), the digits of its
// acknowledgement id, and the rest, where its arguments start; ok is false for a packet of
// another type.
func packetHead(b []byte) (nsp, id, rest []byte, ok bool) {
	if len(b) == 0 || (b[0] != '2' && b[0] != '5') {
		return nil, nil, nil, false
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
	nsp = rootNamespace
	if i < len(b) && b[i] == '/' {
		start := i
		for i < len(b) && b[i] != ',' {
			i++
		}
		nsp = b[start:i]
		if i < len(b) {
			i++ // the comma
		}
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return nsp, b[start:i], b[i:], true
}

// eventHead reads the namespace and the event name at the start of an encoded Socket.IO
// EVENT or BINARY_EVENT packet (`2/chat,12["message",…]`, `51-["upload",…]`), without
// decoding the rest: the arrival count (arrivals) needs them before the engine has decoded
// the packet. ok is false for a packet of another type. A name it cannot read (not a string,
// cut short) is "", which rates count under the shared budget.
func eventHead(b []byte) (nsp, event string, ok bool) {
	nspBytes, _, args, ok := packetHead(b)
	if !ok {
		return "", "", false
	}
	nsp = string(nspBytes)
	if len(args) == 0 || args[0] != '[' {
		return nsp, "", true
	}
	i := skipSpace(args, 1)
	if i >= len(args) || args[i] != '"' {
		return nsp, "", true
	}
	start, escaped := i, false
	for i++; i < len(args); i++ {
		switch args[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				return nsp, string(args[start+1 : i]), true
			}
			name, err := strconv.Unquote(string(args[start : i+1]))
			if err != nil {
				return nsp, "", true
			}
			return nsp, name, true
		}
	}
	return nsp, "", true
}

// maxAckIDDigits is the longest acknowledgement id the fast way takes (any uint64 fits in
// 19 digits); a longer one goes to the engine's decoder, which applies its own limit.
const maxAckIDDigits = 19

// eventParts splits an encoded Socket.IO EVENT packet without attachments
// (`2/chat,12["message",…]`) into its namespace (as bytes of b, "/" when absent), its
// acknowledgement id and the JSON text of its arguments, without decoding them. ok is false
// for anything else or anything unusual (the engine's decoder then has the packet).
func eventParts(b []byte) (nsp []byte, id uint64, hasID bool, args []byte, ok bool) {
	if len(b) == 0 || b[0] != '2' {
		return nil, 0, false, nil, false
	}
	nsp, digits, args, _ := packetHead(b)
	if len(digits) > maxAckIDDigits || len(args) == 0 || args[0] != '[' {
		return nil, 0, false, nil, false // an id that may not fit in a uint64, no arguments
	}
	for _, d := range digits {
		id = id*10 + uint64(d-'0')
	}
	return nsp, id, len(digits) > 0, args, true
}

var rootNamespace = []byte("/")

// argText returns the JSON text of element i of args, a JSON array already known to be
// valid (decoded without error), or nil when it has fewer elements.
func argText(args []byte, i int) []byte {
	p := skipSpace(args, 0)
	if p >= len(args) || args[p] != '[' {
		return nil
	}
	p++
	for n := 0; ; n++ {
		p = skipSpace(args, p)
		if p >= len(args) || args[p] == ']' {
			return nil
		}
		end := skipValue(args, p)
		if n == i {
			return args[p:end]
		}
		p = skipSpace(args, end)
		if p >= len(args) || args[p] != ',' {
			return nil
		}
		p++
	}
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

// skipValue returns the end of the valid JSON value starting at p.
func skipValue(b []byte, p int) int {
	depth := 0
	for ; p < len(b); p++ {
		switch b[p] {
		case '"':
			for p++; p < len(b) && b[p] != '"'; p++ {
				if b[p] == '\\' {
					p++
				}
			}
			if depth == 0 {
				return p + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return p // a number or a literal ends at its list's end
			}
			if depth--; depth == 0 {
				return p + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return p
			}
		}
	}
	return p
}
