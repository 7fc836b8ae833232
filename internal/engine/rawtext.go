package engine

import (
	"reflect"
	"sync/atomic"
	"unsafe"
)

// RawText is the JSON text an incoming event argument (a map or a list) arrived as. While it
// is offered, a broadcast whose arguments hold that very value (a handler handing the
// argument on unchanged, as a chat's `data: ${{ data }}` does) writes the text instead of
// encoding the value again: the same JSON value, in the client's key order, without
// encoding a map (sorting its keys, reflection per key, several allocations), which was the
// largest part of encoding a chat message. Values are never changed in place once decoded
// (the actions build new maps), so the value's identity stands for its text.
//
// One text is offered at a time, server-wide, by the goroutine handling an event at once;
// another offer replaces it, and broadcasts that miss it encode as before. A RawText is never
// changed once offered, and its text is its own copy, so a broadcast on another goroutine
// may read one that was withdrawn meanwhile.
type RawText struct {
	value unsafe.Pointer
	text  []byte
}

var offeredText atomic.Pointer[RawText]

// OfferText offers text as the JSON v was decoded from, until WithdrawText; nil (and nothing
// offered) when v is not a map or a non-empty list.
func OfferText(v any, text []byte) *RawText {
	p := identity(v)
	if p == nil {
		return nil
	}
	rt := &RawText{value: p, text: append([]byte(nil), text...)}
	offeredText.Store(rt)
	return rt
}

// WithdrawText withdraws rt, unless another offer replaced it already.
func WithdrawText(rt *RawText) {
	if rt != nil {
		offeredText.CompareAndSwap(rt, nil)
	}
}

// identity is what tells a map or a non-empty list from any other: its map header or its
// first element's address; nil for other values.
func identity(v any) unsafe.Pointer {
	switch x := v.(type) {
	case map[string]any:
		return reflect.ValueOf(x).UnsafePointer()
	case []any:
		if len(x) > 0 {
			return unsafe.Pointer(&x[0])
		}
	}
	return nil
}

// offeredFor returns the offered text when one of args is its value, else nil.
func offeredFor(args []any) *RawText {
	rt := offeredText.Load()
	if rt == nil {
		return nil
	}
	for _, a := range args {
		if identity(a) == rt.value {
			return rt
		}
	}
	return nil
}
