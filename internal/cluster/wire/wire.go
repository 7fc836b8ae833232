package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"
)

// Request types of the adapter protocol.
const (
	ReqSockets          = 0
	ReqAllRooms         = 1
	ReqRemoteJoin       = 2
	ReqRemoteLeave      = 3
	ReqRemoteDisconnect = 4
	ReqRemoteFetch      = 5
	ReqServerSideEmit   = 6
	ReqBroadcast        = 7
	RespBroadcastCount  = 8
	RespBroadcastAck    = 9
)

// Socket.IO packet types that may travel between servers.
const (
	PacketEvent       = 2
	PacketBinaryEvent = 5
)

// Packet is a Socket.IO packet as the adapters exchange it.
type Packet struct {
	Type int    `msgpack:"type" json:"type"`
	Data []any  `msgpack:"data" json:"data"`
	Nsp  string `msgpack:"nsp" json:"nsp"`
}

// Opts selects the recipients of a broadcast.
type Opts struct {
	Rooms  RoomNames      `msgpack:"rooms" json:"rooms"`
	Except RoomNames      `msgpack:"except" json:"except"`
	Flags  map[string]any `msgpack:"flags" json:"flags,omitempty"`
}

// Broadcast is one decoded broadcast message.
type Broadcast struct {
	UID    string
	Packet Packet
	Opts   Opts
}

// Request is a request from another server, or from @socket.io/redis-emitter.
type Request struct {
	UID       string    `msgpack:"uid" json:"uid"`
	RequestID string    `msgpack:"requestId" json:"requestId"`
	Type      int       `msgpack:"type" json:"type"`
	Opts      *Opts     `msgpack:"opts" json:"opts"`
	Rooms     RoomNames `msgpack:"rooms" json:"rooms"`
	Room      string    `msgpack:"room" json:"room"`
	Sid       string    `msgpack:"sid" json:"sid"`
	Close     bool      `msgpack:"close" json:"close"`
	Packet    *Packet   `msgpack:"packet" json:"packet"`
}

// Response is an answer to a request, as far as the requesting node reads it.
type Response struct {
	RequestID string `json:"requestId" msgpack:"requestId"`
	Type      int    `json:"type" msgpack:"type"`
	Packet    any    `json:"packet" msgpack:"packet"`
}

// RoomNames is a list of rooms as another server sent it. Node lets a room be named by a
// number; such names are kept in their decimal form, which is how Node's adapter matches
// them too.
type RoomNames []string

// DecodeMsgpack reads a list of strings and numbers.
func (r *RoomNames) DecodeMsgpack(d *msgpack.Decoder) error {
	var v []any
	if err := d.Decode(&v); err != nil {
		return err
	}
	return r.set(v)
}

// UnmarshalJSON reads a list of strings and numbers.
func (r *RoomNames) UnmarshalJSON(b []byte) error {
	var v []any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return r.set(v)
}

func (r *RoomNames) set(v []any) error {
	out := make(RoomNames, 0, len(v))
	for _, e := range v {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		case float32:
			out = append(out, strconv.FormatFloat(float64(x), 'f', -1, 32))
		case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
			out = append(out, fmt.Sprint(x))
		default:
			return fmt.Errorf("a room name must be a string or a number, not %T", e)
		}
	}
	*r = out
	return nil
}

// EncodeBroadcast encodes [uid, packet, opts].
func EncodeBroadcast(uid string, p Packet, o Opts) ([]byte, error) {
	if o.Rooms == nil {
		o.Rooms = []string{}
	}
	if o.Except == nil {
		o.Except = []string{}
	}
	if o.Flags == nil {
		o.Flags = map[string]any{}
	}
	return EncodeMsgpack([]any{uid, p, o})
}

// EncodeMsgpack encodes v as the adapters exchange it, integers in their shortest form.
func EncodeMsgpack(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// newDecoder reads msgpack as JavaScript's notepack.io writes it: maps with string keys,
// binary as []byte (the engine sends it as an attachment), numbers as the smallest Go type
// that holds them (JSON encodes them all alike). Loose decoding is not used: it would turn
// binary into strings.
func newDecoder(b []byte) *msgpack.Decoder {
	return msgpack.NewDecoder(bytes.NewReader(b))
}

// DecodeBroadcast decodes [uid, packet, opts].
func DecodeBroadcast(b []byte) (Broadcast, error) {
	var m Broadcast
	if err := checkMsgpack(b); err != nil {
		return m, err
	}
	d := newDecoder(b)
	n, err := d.DecodeArrayLen()
	if err != nil {
		return m, err
	}
	if n < 2 {
		return m, fmt.Errorf("broadcast message has %d elements, want 3", n)
	}
	if m.UID, err = d.DecodeString(); err != nil {
		return m, fmt.Errorf("uid: %w", err)
	}
	if err = d.Decode(&m.Packet); err != nil {
		return m, fmt.Errorf("packet: %w", err)
	}
	if n > 2 {
		if err = d.Decode(&m.Opts); err != nil {
			return m, fmt.Errorf("opts: %w", err)
		}
	}
	return m, nil
}

// DecodeRequest decodes a request from another server.
func DecodeRequest(b []byte) (Request, error) {
	var r Request
	return r, DecodeMessage(b, &r)
}

// DecodeMessage decodes a request or an answer into v: JSON when it starts with "{",
// msgpack otherwise (checked first, so decoding allocates no more than the message holds).
func DecodeMessage(b []byte, v any) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, v)
	}
	if err := checkMsgpack(b); err != nil {
		return err
	}
	return newDecoder(b).Decode(v)
}

// EncodeResponse encodes an answer: JSON, or msgpack when it carries binary.
func EncodeResponse(v map[string]any) ([]byte, error) {
	if hasBytes(v) {
		return EncodeMsgpack(v)
	}
	return json.Marshal(v)
}

// hasBytes reports whether v holds binary anywhere.
func hasBytes(v any) bool {
	switch x := v.(type) {
	case []byte:
		return true
	case []any:
		for _, e := range x {
			if hasBytes(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasBytes(e) {
				return true
			}
		}
	case []map[string]any: // the sockets of a fetchSockets answer
		for _, e := range x {
			if hasBytes(e) {
				return true
			}
		}
	}
	return false
}

// BroadcastPrefix is how every broadcast of the node uid starts: the array header and
// the uid. A node recognises its own messages by it without decoding them.
func BroadcastPrefix(uid string) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	if err := enc.EncodeArrayLen(3); err != nil {
		return nil, err
	}
	err := enc.EncodeString(uid)
	return buf.Bytes(), err
}

// checkMsgpack walks the msgpack value at the start of b without decoding it and refuses
// one that declares more than b holds: an array, map, string or binary longer than the bytes
// left. The decoder sizes what it allocates by those declarations, so a few hand-made bytes
// could otherwise make it allocate gigabytes; after this check, what decoding allocates is
// bounded by the message's size.
func checkMsgpack(b []byte) error {
	pos, need := 0, 1 // need: values still to read
	length := func(size int) (int, bool) {
		if pos+size > len(b) {
			return 0, false
		}
		n := 0
		for _, c := range b[pos : pos+size] {
			n = n<<8 | int(c)
		}
		pos += size
		return n, true
	}
	for need > 0 {
		if pos >= len(b) {
			return errTruncated
		}
		c := b[pos]
		pos++
		need--
		items, skip, size := 0, 0, 0 // elements to read, bytes to skip, bytes of a length
		switch {
		case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		case c <= 0x8f:
			items = 2 * int(c&0x0f)
		case c <= 0x9f:
			items = int(c & 0x0f)
		case c <= 0xbf:
			skip = int(c & 0x1f)
		case c == 0xc4 || c == 0xd9:
			size = 1
		case c == 0xc5 || c == 0xda:
			size = 2
		case c == 0xc6 || c == 0xdb:
			size = 4
		case c == 0xc7, c == 0xc8, c == 0xc9:
			size = 1 << (c - 0xc7) // ext: a length, then a type byte
			skip = 1
		case c == 0xca || c == 0xce || c == 0xd2:
			skip = 4
		case c == 0xcb || c == 0xcf || c == 0xd3:
			skip = 8
		case c == 0xcc || c == 0xd0:
			skip = 1
		case c == 0xcd || c == 0xd1:
			skip = 2
		case c >= 0xd4 && c <= 0xd8:
			skip = 1 + 1<<(c-0xd4) // fixext: a type byte, then 1, 2, 4, 8 or 16 bytes
		case c == 0xdc, c == 0xdd:
			n, ok := length(2 << (c - 0xdc))
			if !ok {
				return errTruncated
			}
			items = n
		case c == 0xde, c == 0xdf:
			n, ok := length(2 << (c - 0xde))
			if !ok {
				return errTruncated
			}
			items = 2 * n
		default:
			return fmt.Errorf("msgpack: invalid code %#x", c)
		}
		if size > 0 {
			n, ok := length(size)
			if !ok {
				return errTruncated
			}
			skip += n
		}
		if skip > len(b)-pos || items > len(b)-pos {
			return errTruncated
		}
		pos += skip
		need += items
	}
	return nil
}

// errTruncated is a msgpack value that declares more than the message holds.
var errTruncated = errors.New("msgpack: the message is shorter than what it declares")
