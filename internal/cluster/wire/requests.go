package wire

import "encoding/json"

// FetchResponse is an answer to a REMOTE_FETCH request: the answering server's sockets that
// the request's opts selected.
type FetchResponse struct {
	RequestID string          `json:"requestId" msgpack:"requestId"`
	Sockets   []FetchedSocket `json:"sockets" msgpack:"sockets"`
}

// FetchedSocket is one socket of a REMOTE_FETCH answer, as Node's fetchSockets describes it.
type FetchedSocket struct {
	ID string `json:"id" msgpack:"id"`
	// Handshake has Node's names: headers, time, address, xdomain, secure, issued, url,
	// query, auth.
	Handshake map[string]any `json:"handshake" msgpack:"handshake"`
	Rooms     RoomNames      `json:"rooms" msgpack:"rooms"`
	Data      any            `json:"data" msgpack:"data"`
}

// requestOpts are a request's recipients as Node's adapter sends them: rooms and except,
// never null, and no flags.
type requestOpts struct {
	Rooms  []string `json:"rooms"`
	Except []string `json:"except"`
}

func newRequestOpts(o Opts) requestOpts {
	r := requestOpts{Rooms: o.Rooms, Except: o.Except}
	if r.Rooms == nil {
		r.Rooms = []string{}
	}
	if r.Except == nil {
		r.Except = []string{}
	}
	return r
}

// EncodeFetchRequest encodes node uid's REMOTE_FETCH request for the sockets o selects, as
// Node's adapter does: {uid, requestId, type, opts}, in JSON.
func EncodeFetchRequest(uid, requestID string, o Opts) ([]byte, error) {
	return json.Marshal(struct {
		UID       string      `json:"uid"`
		RequestID string      `json:"requestId"`
		Type      int         `json:"type"`
		Opts      requestOpts `json:"opts"`
	}{uid, requestID, ReqRemoteFetch, newRequestOpts(o)})
}

// EncodeRoomsRequest encodes node uid's REMOTE_JOIN or REMOTE_LEAVE request (typ), which
// makes the sockets o selects join or leave rooms: {uid, type, opts, rooms}, in JSON, with no
// request id, as Node's adapter sends it (no answer is awaited).
func EncodeRoomsRequest(uid string, typ int, o Opts, rooms []string) ([]byte, error) {
	if rooms == nil {
		rooms = []string{}
	}
	return json.Marshal(struct {
		UID   string      `json:"uid"`
		Type  int         `json:"type"`
		Opts  requestOpts `json:"opts"`
		Rooms []string    `json:"rooms"`
	}{uid, typ, newRequestOpts(o), rooms})
}

// EncodeDisconnectRequest encodes node uid's REMOTE_DISCONNECT request, which disconnects the
// sockets o selects (and closes their connections when close is set): {uid, type, opts,
// close}, in JSON, with no request id, as Node's adapter sends it.
func EncodeDisconnectRequest(uid string, o Opts, close bool) ([]byte, error) {
	return json.Marshal(struct {
		UID   string      `json:"uid"`
		Type  int         `json:"type"`
		Opts  requestOpts `json:"opts"`
		Close bool        `json:"close"`
	}{uid, ReqRemoteDisconnect, newRequestOpts(o), close})
}
