package main

import "encoding/binary"

// maxHeader is the longest header of a server's frame: no mask (RFC 6455 §5.2).
const maxHeader = 10

// appendTextFrame appends one final, unmasked text frame carrying payload.
func appendTextFrame(b, payload []byte) []byte {
	b = append(b, 0x81)
	switch n := len(payload); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}
