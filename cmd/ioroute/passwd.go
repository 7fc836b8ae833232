package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"
)

// passwdStdin is where `ioroute passwd` reads the password; tests replace it.
var passwdStdin io.Reader = os.Stdin

// passwdCmd reads a password from the terminal (without echo) or from stdin and prints its
// bcrypt hash, for server.admin.auth.password_hash.
func passwdCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 0 {
		fmt.Fprint(stderr, "usage: ioroute passwd    (type the password, or pipe it in: echo -n secret | ioroute passwd)\n")
		return 2
	}
	var pw []byte
	if f, ok := passwdStdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ioroute passwd: %v\n", err)
			return 1
		}
		fmt.Fprint(stderr, "Again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ioroute passwd: %v\n", err)
			return 1
		}
		if string(again) != string(b) {
			fmt.Fprintln(stderr, "ioroute passwd: the passwords differ")
			return 1
		}
		pw = b
	} else {
		line, err := bufio.NewReader(io.LimitReader(passwdStdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "ioroute passwd: %v\n", err)
			return 1
		}
		pw = []byte(strings.TrimRight(line, "\r\n"))
	}
	if len(pw) == 0 {
		fmt.Fprintln(stderr, "ioroute passwd: empty password")
		return 1
	}
	if len(pw) > 72 {
		fmt.Fprintln(stderr, "ioroute passwd: bcrypt reads at most 72 bytes of a password; choose a shorter one")
		return 1
	}
	h, err := bcrypt.GenerateFromPassword(pw, bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintf(stderr, "ioroute passwd: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(h))
	return 0
}
