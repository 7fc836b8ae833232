package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// tokenCmd prints an HS256 token, for trying configs that check tokens with jwt().
func tokenCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	secret := fs.String("secret", "", "HMAC secret (the one the config reads, e.g. from env.JWT_SECRET)")
	sub := fs.String("sub", "", "subject: who the token is for")
	aud := fs.String("aud", "", "audience, if the config checks one")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *secret == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, "usage: ioroute token --secret SECRET [--sub NAME] [--aud AUDIENCE] [--ttl 1h]\n")
		return 2
	}
	token, err := tmpl.SignHS256(*secret, *sub, *aud, time.Now().Add(*ttl))
	if err != nil {
		fmt.Fprintf(stderr, "ioroute token: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, token)
	return 0
}
