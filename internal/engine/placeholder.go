package engine

// PlaceholderKey is how a binary attachment's placeholder is marked in a packet's JSON
// ({"_placeholder": true, "num": N}). A receiver replaces every such object of a binary packet
// with its attachment, and socket.io-client drops its whole connection ("parse error") on one
// whose num names no attachment.
const PlaceholderKey = "_placeholder"

// HasPlaceholder reports whether a client's event arguments still hold a placeholder object
// after the engine's decoder replaced the valid ones with their attachments: one with a num
// that is not an attachment's index, or one sent in a packet without attachments. Forwarded
// beside any binary value, such an object would make every socket.io-client receiving it
// drop its connection, so the router refuses the event.
func HasPlaceholder(args []any) bool {
	for _, a := range args {
		if hasPlaceholder(a) {
			return true
		}
	}
	return false
}

func hasPlaceholder(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if mark, ok := x[PlaceholderKey].(bool); ok && mark {
			return true
		}
		for _, e := range x {
			if hasPlaceholder(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasPlaceholder(e) {
				return true
			}
		}
	}
	return false
}
