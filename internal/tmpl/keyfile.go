package tmpl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/expr-lang/expr/ast"

	"github.com/ioroute/ioroute/config"
)

// maxKeyFile bounds what file() reads: a PEM public key is well under 4 KiB, and the bound
// keeps a config naming /dev/zero or a huge file from stalling its load.
const maxKeyFile = 64 << 10

// keyFiles is a compile-time patch: jwt(token, file("path")...) becomes jwt(token, "<the
// file's text>"...), so the file is read when the config loads or reloads, never per event.
// The path is relative to the config file. Any other use of file() is an error, so key
// material cannot end up in a message, a print or a log.
type keyFiles struct {
	pos    config.Pos // of the expression's first character
	path   string
	errs   *config.Errors
	failed bool
}

// Visit replaces file() calls in jwt's key argument, and reports file() anywhere else once
// those are gone (patches run one after the other, each over the whole tree).
func (k *keyFiles) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	if callee(call) == "jwt" && len(call.Arguments) >= 2 {
		if arg, isCall := call.Arguments[1].(*ast.CallNode); isCall && callee(arg) == "file" {
			ast.Patch(&call.Arguments[1], &ast.StringNode{Value: k.read(arg)})
		}
	}
}

// strayFiles reports file() calls that keyFiles left: those outside jwt's key argument.
type strayFiles struct{ *keyFiles }

// Visit reports a file() call and replaces it, so the expression compiles on to further errors.
func (s strayFiles) Visit(node *ast.Node) {
	if call, ok := (*node).(*ast.CallNode); ok && callee(call) == "file" {
		s.fail(call, "file() reads a key for jwt() and may only be its key argument, as in jwt(auth.token, file(\"keys/jwt.pub\"))")
		ast.Patch(node, &ast.StringNode{})
	}
}

func callee(c *ast.CallNode) string {
	if id, ok := c.Callee.(*ast.IdentifierNode); ok {
		return id.Value
	}
	return ""
}

func (k *keyFiles) fail(at ast.Node, format string, args ...any) {
	k.failed = true
	k.errs.Add(k.pos.Shift(at.Location().From), k.path, format, args...)
}

// read returns the text of the key file named by call's one literal argument, checked as a
// jwt() key; on failure it reports the error at the call and returns "".
func (k *keyFiles) read(call *ast.CallNode) string {
	var name string
	if len(call.Arguments) == 1 {
		if s, ok := call.Arguments[0].(*ast.StringNode); ok {
			name = s.Value
		}
	}
	if name == "" {
		k.fail(call, "file() takes one quoted path, relative to the config file, as in file(\"keys/jwt.pub\")")
		return ""
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(k.pos.File), path)
	}
	text, err := readKeyFile(path)
	if err == nil {
		_, _, err = verificationKey(text)
	}
	if err != nil {
		k.fail(call, "file(%q): %v", name, err)
		return ""
	}
	return text
}

// readKeyFile reads a regular file of at most maxKeyFile bytes, without its trailing line
// breaks (a secret saved by an editor or `echo` ends with one that is not part of it).
func readKeyFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", unwrapPathError(err)
	}
	if !st.Mode().IsRegular() {
		return "", errors.New("not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return "", unwrapPathError(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return "", unwrapPathError(err)
	}
	if len(b) > maxKeyFile {
		return "", fmt.Errorf("larger than %d KiB; a key file holds one key", maxKeyFile>>10)
	}
	text := strings.TrimRight(string(b), "\r\n")
	if text == "" {
		return "", errors.New("the file is empty")
	}
	return text, nil
}

// unwrapPathError drops the path from os errors: the message already names the file as written.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
