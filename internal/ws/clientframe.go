package ws

import "encoding/binary"

// ClientFrame is one frame as a client sends it: masked with key, with the given first byte
// (FIN, reserved bits, opcode). masked false leaves it unmasked, which a server must refuse.
// Tests of servers built on this package send it over real connections.
func ClientFrame(b0 byte, payload []byte, masked bool) []byte {
	key := []byte{0x37, 0xfa, 0x21, 0x3d}
	f := []byte{b0}
	mask := byte(0)
	if masked {
		mask = 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		f = append(f, mask|byte(n))
	case n <= 0xffff:
		f = append(f, mask|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, mask|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	if !masked {
		return append(f, payload...)
	}
	f = append(f, key...)
	for i, c := range payload {
		f = append(f, c^key[i%4])
	}
	return f
}
