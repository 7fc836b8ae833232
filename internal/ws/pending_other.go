//go:build !linux

package ws

// Unread tells whether the client has sent bytes the reader has not handled yet; without a
// way to ask the socket it cannot tell, and says no.
func (r *Reader) Unread() bool { return false }
