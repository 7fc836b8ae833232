package scale

import "golang.org/x/sys/unix"

// setSockopts prepares a client socket before it connects: IP_BIND_ADDRESS_NO_PORT, and for
// a stalled client a small receive buffer, so that what it does not read piles up in the
// server's queue rather than in the kernel's buffers.
func setSockopts(fd uintptr, stalled bool) error {
	if err := unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1); err != nil {
		return err
	}
	if stalled {
		return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
	}
	return nil
}
