// Package localport finds free TCP ports on the loopback interface for the benchmark's
// servers.
package localport

import "net"

// Free returns a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func Free() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
