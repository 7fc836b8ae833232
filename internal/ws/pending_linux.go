//go:build linux

package ws

import "golang.org/x/sys/unix"

// Unread tells whether the client has sent bytes the reader has not handled yet: bytes in
// the socket's receive buffer, or a poller worker reading it now.
func (r *Reader) Unread() bool {
	if !r.turning.TryLock() {
		return true
	}
	defer r.turning.Unlock()
	n := 0
	_ = r.rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	return n > 0
}
