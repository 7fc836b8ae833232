package ws

import "encoding/binary"

// Opcode is a WebSocket frame's opcode (RFC 6455 §5.2).
type Opcode byte

// The opcodes of RFC 6455 §5.2.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xa
)

// Close codes (RFC 6455 §7.4.1) the reader ends a connection with.
const (
	CloseProtocol    = 1002
	CloseInvalidData = 1007
	CloseTooBig      = 1009
)

// maxFrameHeader is the longest header of a server's frame (RFC 6455 §5.2: no mask).
const maxFrameHeader = 10

// appendFrameHeader appends the header of a final, unmasked frame carrying n bytes.
func appendFrameHeader(b []byte, op Opcode, n int) []byte {
	b = append(b, 0x80|byte(op))
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		return binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		return binary.BigEndian.AppendUint64(b, uint64(n))
	}
}
