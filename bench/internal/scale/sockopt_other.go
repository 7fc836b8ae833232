//go:build !linux

package scale

import "syscall"

// setSockopts: without IP_BIND_ADDRESS_NO_PORT, a bound source address reserves its port for
// every destination, so each load generator has about one port range in all.
func setSockopts(fd uintptr, stalled bool) error {
	if stalled {
		return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	}
	return nil
}
