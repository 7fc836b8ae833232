package tmpl

import (
	"encoding/base64"
	"fmt"

	"github.com/expr-lang/expr"
)

// Binary data is []byte, which Socket.IO sends as a binary attachment (an ArrayBuffer or a
// Buffer for the client) and which a client's attachments arrive as. bytes() and
// base64_bytes() make it from text, is_binary() tells it apart; a YAML !!binary value is one
// already (config).

// bytesOptions declare the functions.
var bytesOptions = []expr.Option{
	// bytes("text") is the text's UTF-8 bytes; binary data is returned as it is
	expr.Function("bytes", bytesFunction, new(func(string) []byte)),
	// base64_bytes("aGk=") decodes standard base64, padded or not
	expr.Function("base64_bytes", base64Function, new(func(string) []byte)),
	// is_binary(x) tells whether x is binary data
	expr.Function("is_binary", isBinaryFunction, new(func(any) bool)),
}

// bytesFunctions are the names bytesOptions declare, for suggestions; the first two copy
// their argument, and metering prices them by its size.
var bytesFunctions = []string{"bytes", "base64_bytes", "is_binary"}

func bytesFunction(params ...any) (any, error) {
	switch v := params[0].(type) {
	case string:
		return []byte(v), nil
	case []byte:
		return v, nil
	}
	return nil, fmt.Errorf("bytes() takes a string, got %s", describe(params[0]))
}

func base64Function(params ...any) (any, error) {
	s, ok := params[0].(string)
	if !ok {
		return nil, fmt.Errorf("base64_bytes() takes a base64 string, got %s", describe(params[0]))
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64_bytes(): not base64: %v", err)
	}
	return b, nil
}

func isBinaryFunction(params ...any) (any, error) {
	_, ok := params[0].([]byte)
	return ok, nil
}
