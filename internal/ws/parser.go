package ws

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Error is a client's breach of the WebSocket protocol: the connection is to be closed with
// Code (RFC 6455 §7.4.1).
type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("websocket: %s (close code %d)", e.Reason, e.Code)
}

// sink receives what a parser finds in a client's frames (a Handler is one).
type sink interface {
	// Message is one whole data message (text or binary); payload is the sink's to keep.
	Message(op Opcode, payload []byte)
	// Control is a ping, pong or close frame; payload is valid only during the call.
	Control(op Opcode, payload []byte)
}

// parser reads the frames a client sends over one WebSocket connection (RFC 6455 §5): it
// checks them, unmasks them, puts fragmented messages together and hands whole messages and
// control frames to a sink. It has no extensions, so a frame with a reserved bit set is a
// protocol error, as is an unmasked one.
type parser struct {
	limit int64  // the largest message accepted, in bytes
	msgOp Opcode // opcode of the fragmented message being assembled; 0 when none
	msg   []byte // its fragments so far
}

// parse handles the complete frames at the start of b, unmasking them in place, and returns
// how many bytes they took. When b ends inside a frame, need is how many bytes that frame
// takes in all (at least one more than b holds), so the caller can size its buffer. A frame
// that breaks the protocol stops the parsing with a *Error; the connection is then to be
// closed.
func (p *parser) parse(b []byte, s sink) (used, need int, err *Error) {
	for {
		rest := b[used:]
		if len(rest) < 2 {
			return used, 2, nil
		}
		b0, b1 := rest[0], rest[1]
		if b0&0x70 != 0 {
			return used, 0, &Error{CloseProtocol, "reserved bits set"}
		}
		if b1&0x80 == 0 {
			return used, 0, &Error{CloseProtocol, "unmasked client frame"}
		}
		fin, op := b0&0x80 != 0, Opcode(b0&0x0f)
		head, size := 2, uint64(b1&0x7f)
		switch size {
		case 126:
			head += 2
		case 127:
			head += 8
		}
		head += 4
		if len(rest) < head {
			return used, head, nil
		}
		switch size {
		case 126:
			size = uint64(binary.BigEndian.Uint16(rest[2:]))
		case 127:
			size = binary.BigEndian.Uint64(rest[2:])
		}
		if e := p.check(fin, op, size); e != nil {
			return used, 0, e
		}
		total := head + int(size)
		if len(rest) < total {
			return used, total, nil
		}
		payload := rest[head:total]
		unmask(payload, rest[head-4:head])
		used += total
		if op >= OpClose {
			s.Control(op, payload)
			continue
		}
		if fin && op != OpContinuation {
			if e := p.deliver(s, op, append([]byte(nil), payload...)); e != nil {
				return used, 0, e
			}
			continue
		}
		if op != OpContinuation {
			p.msgOp = op
		}
		p.msg = append(p.msg, payload...)
		if fin {
			op, msg := p.msgOp, p.msg
			p.msgOp, p.msg = 0, nil
			if e := p.deliver(s, op, msg); e != nil {
				return used, 0, e
			}
		}
	}
}

// check tells whether a frame with this header may come next.
func (p *parser) check(fin bool, op Opcode, size uint64) *Error {
	switch op {
	case OpClose, OpPing, OpPong:
		if !fin || size > 125 {
			return &Error{CloseProtocol, "fragmented or oversized control frame"}
		}
		return nil
	case OpText, OpBinary:
		if p.msgOp != 0 {
			return &Error{CloseProtocol, "new message inside a fragmented one"}
		}
	case OpContinuation:
		if p.msgOp == 0 {
			return &Error{CloseProtocol, "continuation frame without a message"}
		}
	default:
		return &Error{CloseProtocol, fmt.Sprintf("unknown opcode %d", op)}
	}
	if size > uint64(p.limit) || uint64(len(p.msg))+size > uint64(p.limit) {
		return &Error{CloseTooBig, fmt.Sprintf("message larger than %d bytes", p.limit)}
	}
	return nil
}

// deliver hands a whole message to the sink; text must be UTF-8 (RFC 6455 §8.1).
func (p *parser) deliver(s sink, op Opcode, msg []byte) *Error {
	if op == OpText && !utf8.Valid(msg) {
		return &Error{CloseInvalidData, "text message is not UTF-8"}
	}
	s.Message(op, msg)
	return nil
}

// unmask XORs payload with the frame's 4-byte masking key (RFC 6455 §5.3).
func unmask(payload, key []byte) {
	k := binary.LittleEndian.Uint32(key)
	k8 := uint64(k) | uint64(k)<<32
	i := 0
	for ; i+8 <= len(payload); i += 8 {
		binary.LittleEndian.PutUint64(payload[i:], binary.LittleEndian.Uint64(payload[i:])^k8)
	}
	for ; i < len(payload); i++ {
		payload[i] ^= key[i&3]
	}
}

// ClosePayload is the body of a close frame answering one whose body was got: the same status
// code, or none when it had none (RFC 6455 §5.5.1).
func ClosePayload(got []byte) []byte {
	if len(got) < 2 {
		return nil
	}
	return got[:2]
}

// CloseBody is the body of a close frame the server starts, with code.
func CloseBody(code int) []byte {
	return binary.BigEndian.AppendUint16(nil, uint16(code))
}
