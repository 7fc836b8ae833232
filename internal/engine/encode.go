package engine

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// encodeText writes packet, an EVENT without binary data, as the engine's encoder writes its
// text (`2/chat,["new-message",…]`: type, namespace unless "/", id, JSON data) into buf. It is
// ioroute's own because a broadcast needs the text only until it is queued, while the
// engine's encoder first copies the whole data tree (for kinds of values ioroute never sends)
// and encodes into fresh buffers wrapped twice: at 10,000 broadcasts a second those
// allocations set how often the collector runs. ok is false when the engine must encode the
// packet (another type, binary data, or data JSON refuses, which the engine drops).
func encodeText(packet *parser.Packet, tb *textBuffer) bool {
	buf := &tb.buf
	if packet.Type != parser.EVENT || packet.Data == nil || parser.HasBinary(packet.Data) {
		return false
	}
	buf.WriteByte('0' + byte(packet.Type))
	if nsp := packet.Nsp; len(nsp) > 0 && nsp != "/" {
		buf.WriteString(nsp)
		buf.WriteByte(',')
	}
	if packet.Id != nil {
		buf.WriteString(strconv.FormatUint(*packet.Id, 10))
	}
	data, _ := packet.Data.([]any)
	rt := offeredFor(data)
	if rt == nil {
		if !tb.encode(packet.Data) {
			return false
		}
	} else {
		// the list written element by element, the offered value as its text (RawText)
		buf.WriteByte('[')
		for i, v := range data {
			if i > 0 {
				buf.WriteByte(',')
			}
			if identity(v) == rt.value {
				buf.Write(rt.text)
			} else if !tb.encode(v) {
				return false
			}
		}
		buf.WriteByte(']')
	}
	if buf.Len() > types.MaxPayloadSize {
		buf.Reset()
		return false
	}
	return true
}

// encode appends v as JSON, as json.Marshal writes it; false (and the buffer emptied) when
// JSON refuses it.
func (tb *textBuffer) encode(v any) bool {
	if err := tb.enc.Encode(v); err != nil {
		tb.buf.Reset()
		return false
	}
	tb.buf.Truncate(tb.buf.Len() - 1) // the encoder's newline
	return true
}

// textBuffer is a buffer broadcasts encode into, with its JSON encoder.
type textBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// textBuffers holds the buffers broadcasts encode into.
var textBuffers = sync.Pool{New: func() any {
	tb := new(textBuffer)
	tb.enc = json.NewEncoder(&tb.buf)
	return tb
}}

// maxPooledText is the largest buffer given back to textBuffers: a rare huge broadcast's
// buffer is left to the collector rather than kept.
const maxPooledText = 64 << 10

func putTextBuffer(tb *textBuffer) {
	if tb.buf.Cap() <= maxPooledText {
		tb.buf.Reset()
		textBuffers.Put(tb)
	}
}
