package wire

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vmihailenco/msgpack/v5"
)

// Message types of socket.io-adapter's ClusterAdapter, which @socket.io/redis-streams-adapter
// extends: what the servers of a streams cluster exchange.
const (
	MsgInitialHeartbeat       = 1
	MsgHeartbeat              = 2
	MsgBroadcast              = 3
	MsgSocketsJoin            = 4
	MsgSocketsLeave           = 5
	MsgDisconnectSockets      = 6
	MsgFetchSockets           = 7
	MsgFetchSocketsResponse   = 8
	MsgServerSideEmit         = 9
	MsgServerSideEmitResponse = 10
	MsgBroadcastClientCount   = 11
	MsgBroadcastAck           = 12
	MsgAdapterClose           = 13
)

// Message is one message of a streams cluster: a stream entry (broadcasts without
// acknowledgement, joins, leaves, disconnects), or a pub/sub message (requests and their
// answers). Data is still encoded (RawData, JSON when JSON is set, else msgpack): which
// shape it has depends on Type (DecodeData).
type Message struct {
	UID  string
	Nsp  string
	Type int
	// RawData is the message's data, nil when it has none.
	RawData []byte
	JSON    bool
}

// DecodeData decodes the message's data into v.
func (m *Message) DecodeData(v any) error {
	if m.RawData == nil {
		return errors.New("the message has no data")
	}
	if m.JSON {
		return json.Unmarshal(m.RawData, v)
	}
	if err := checkMsgpack(m.RawData); err != nil {
		return err
	}
	return newDecoder(m.RawData).Decode(v)
}

// BroadcastData is the data of a MsgBroadcast: a RequestID when acknowledgements are
// awaited (sent over pub/sub, never in the stream).
type BroadcastData struct {
	Packet    Packet  `json:"packet" msgpack:"packet"`
	Opts      Opts    `json:"opts" msgpack:"opts"`
	RequestID *string `json:"requestId,omitempty" msgpack:"requestId,omitempty"`
}

// RoomsData is the data of a MsgSocketsJoin or MsgSocketsLeave.
type RoomsData struct {
	Opts  Opts      `json:"opts" msgpack:"opts"`
	Rooms RoomNames `json:"rooms" msgpack:"rooms"`
}

// DisconnectData is the data of a MsgDisconnectSockets.
type DisconnectData struct {
	Opts  Opts `json:"opts" msgpack:"opts"`
	Close bool `json:"close" msgpack:"close"`
}

// FetchData is the data of a MsgFetchSockets.
type FetchData struct {
	Opts      Opts   `json:"opts" msgpack:"opts"`
	RequestID string `json:"requestId" msgpack:"requestId"`
}

// AnswerData is the data of an answer: MsgFetchSocketsResponse (Sockets),
// MsgBroadcastClientCount (ClientCount) or MsgBroadcastAck (Packet, the acknowledgement's
// first argument).
type AnswerData struct {
	RequestID   string          `json:"requestId" msgpack:"requestId"`
	Sockets     []FetchedSocket `json:"sockets,omitempty" msgpack:"sockets,omitempty"`
	ClientCount int             `json:"clientCount,omitempty" msgpack:"clientCount,omitempty"`
	Packet      any             `json:"packet,omitempty" msgpack:"packet,omitempty"`
}

// EntryFields are a stream entry's fields in the order Node's adapter writes them: uid, nsp,
// type (decimal), and data unless there is none. Data is JSON, or, when it holds binary, the
// base64 of its msgpack, as the Node adapter's encode does.
func EntryFields(uid, nsp string, typ int, data any) ([]string, error) {
	fields := []string{"uid", uid, "nsp", nsp, "type", strconv.Itoa(typ)}
	if data == nil {
		return fields, nil
	}
	var text string
	binary, data := normalise(data)
	if hasBytes(binary) {
		b, err := EncodeMsgpack(data)
		if err != nil {
			return nil, err
		}
		text = base64.StdEncoding.EncodeToString(b)
	} else {
		b, err := json.Marshal(data)
		if err != nil {
			return nil, err
		}
		text = string(b)
	}
	return append(fields, "data", text), nil
}

// normalise returns what of data may hold binary, and data with its recipients never null
// (Node's adapter reads opts.rooms.length when it restores a session).
func normalise(data any) (binary, out any) {
	switch x := data.(type) {
	case BroadcastData:
		x.Opts = x.Opts.lists()
		return x.Packet.Data, x
	case RoomsData:
		x.Opts = x.Opts.lists()
		return nil, x
	case DisconnectData:
		x.Opts = x.Opts.lists()
		return nil, x
	}
	return data, data
}

// lists is o with empty lists for rooms and except that are nil.
func (o Opts) lists() Opts {
	if o.Rooms == nil {
		o.Rooms = RoomNames{}
	}
	if o.Except == nil {
		o.Except = RoomNames{}
	}
	return o
}

// DecodeEntry reads a stream entry's fields. An entry without nsp is not an adapter's
// (Node's adapter skips those too): ok is false.
func DecodeEntry(values map[string]any) (m Message, ok bool, err error) {
	str := func(k string) string { s, _ := values[k].(string); return s }
	m.Nsp = str("nsp")
	if m.Nsp == "" {
		return m, false, nil
	}
	m.UID = str("uid")
	if m.Type, err = strconv.Atoi(str("type")); err != nil {
		return m, true, fmt.Errorf("type %q: %w", str("type"), err)
	}
	data := str("data")
	switch {
	case data == "":
	case strings.HasPrefix(data, "{"):
		m.RawData, m.JSON = []byte(data), true
	default:
		if m.RawData, err = base64.StdEncoding.DecodeString(data); err != nil {
			return m, true, fmt.Errorf("data: %w", err)
		}
	}
	return m, true, nil
}

// pubsubMessage is a pub/sub message as Node's adapter encodes it: msgpack of
// {type, data, uid, nsp}.
type pubsubMessage struct {
	Type int                `msgpack:"type"`
	Data msgpack.RawMessage `msgpack:"data,omitempty"`
	UID  string             `msgpack:"uid"`
	Nsp  string             `msgpack:"nsp"`
}

// EncodePubSub encodes a request or an answer for pub/sub.
func EncodePubSub(uid, nsp string, typ int, data any) ([]byte, error) {
	return EncodeMsgpack(map[string]any{"type": typ, "data": data, "uid": uid, "nsp": nsp})
}

// DecodePubSub reads a request or an answer from pub/sub.
func DecodePubSub(b []byte) (Message, error) {
	if err := checkMsgpack(b); err != nil {
		return Message{}, err
	}
	var p pubsubMessage
	if err := newDecoder(b).Decode(&p); err != nil {
		return Message{}, err
	}
	m := Message{UID: p.UID, Nsp: p.Nsp, Type: p.Type}
	if len(p.Data) > 0 && !(len(p.Data) == 1 && p.Data[0] == 0xc0) {
		m.RawData = []byte(p.Data)
	}
	return m, nil
}

// Session is a recovery session as Node's adapter keeps it under "<prefix><pid>": the base64
// of its msgpack. Nsp is ioroute's addition (Node's servers ignore it): a session is
// restored in the namespace it was made in only; sessions Node servers wrote have none.
type Session struct {
	Sid   string    `msgpack:"sid"`
	Pid   string    `msgpack:"pid"`
	Rooms RoomNames `msgpack:"rooms"`
	Data  any       `msgpack:"data"`
	Nsp   string    `msgpack:"nsp,omitempty"`
}

// EncodeSession encodes s as the value of its key.
func EncodeSession(s Session) (string, error) {
	if s.Rooms == nil {
		s.Rooms = RoomNames{}
	}
	b, err := EncodeMsgpack(s)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// DecodeSession reads the value of a session key.
func DecodeSession(v string) (Session, error) {
	var s Session
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return s, err
	}
	if err := checkMsgpack(b); err != nil {
		return s, err
	}
	return s, newDecoder(b).Decode(&s)
}
