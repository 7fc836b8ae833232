package tmpl

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// The price of operations, in steps of a Budget. A step is the work of one predicate call; an
// element or entry costs as much, and a step buys 64 bytes of text, which is about as long to
// copy or scan. Every operation costs at least one step, so even an operation on empty values
// cannot be repeated for free.
const bytesPerStep = 64

// Fixed prices of operations much slower than their input suggests.
const (
	// jwtSteps is a signature check, tens of microseconds with an RSA key.
	jwtSteps = 1000
	// zoneSteps is loading a time zone, which reads the zone database each time.
	zoneSteps = 100
)

// sizeCost prices an operation that reads or copies each of its operands once.
func sizeCost(args []any, _ int64) int64 {
	n := int64(1)
	for _, a := range args {
		n += size(a)
	}
	return n
}

// deepCost prices an operation that visits everything inside its operands (flatten), which
// may hold one list many times over.
func deepCost(args []any, left int64) int64 {
	n := int64(1)
	for _, a := range args {
		n += weigh(a, left-n)
	}
	return n
}

// encodeCost prices toJSON and string, which write out everything inside their operand:
// writing a number or a key is slower than visiting it.
func encodeCost(args []any, left int64) int64 {
	return 1 + 2*weigh(args[0], left/2)
}

// parseCost prices fromJSON, which makes a value of every few bytes of its text.
func parseCost(args []any, _ int64) int64 {
	s, _ := args[0].(string)
	return 1 + int64(len(s))/4
}

// repeatCost prices repeat(s, n) by the text it makes, before it makes it.
func repeatCost(args []any, _ int64) int64 {
	s, _ := args[0].(string)
	n := count(args[1])
	if n <= 0 || len(s) == 0 {
		return 1
	}
	if n > (1<<62)/int64(len(s)) {
		return 1 << 62
	}
	return 1 + int64(len(s))*n/bytesPerStep
}

// replaceCost prices replace(s, old, new[, n]) by the text it scans and makes: with an empty
// old, new goes between every character, so a short s can make a long result.
func replaceCost(args []any, _ int64) int64 {
	s, _ := args[0].(string)
	old, _ := args[1].(string)
	repl, _ := args[2].(string)
	times := int64(strings.Count(s, old))
	if len(args) > 3 {
		if n := count(args[3]); n >= 0 && n < times {
			times = n
		}
	}
	out := int64(len(s)) + times*max(0, int64(len(repl)-len(old)))
	return 1 + (int64(len(s))+out)/bytesPerStep
}

// joinCost prices join(list[, glue]) by the text it makes, glue repeated between every item.
func joinCost(args []any, _ int64) int64 {
	items := reflect.ValueOf(args[0])
	if items.Kind() != reflect.Slice && items.Kind() != reflect.Array {
		return 1
	}
	glue := 0
	if len(args) > 1 {
		g, _ := args[1].(string)
		glue = len(g)
	}
	out := int64(items.Len()) * int64(glue)
	for i := range items.Len() {
		if s, ok := items.Index(i).Interface().(string); ok {
			out += int64(len(s))
		}
	}
	return 1 + int64(items.Len()) + out/bytesPerStep
}

// splitCost prices split(s, sep[, n]) and splitAfter by the text it scans and the pieces it
// makes, one per character when sep is empty.
func splitCost(args []any, _ int64) int64 {
	s, _ := args[0].(string)
	sep, _ := args[1].(string)
	var pieces int64
	if sep == "" {
		pieces = int64(utf8.RuneCountInString(s))
	} else {
		pieces = int64(strings.Count(s, sep)) + 1
	}
	if len(args) > 2 {
		if n := count(args[2]); n > 0 && n < pieces {
			pieces = n
		}
	}
	return 1 + int64(len(s))/bytesPerStep + pieces
}

// takeCost prices take(list, n) by the elements it copies.
func takeCost(args []any, _ int64) int64 {
	return 1 + max(0, min(size(args[0]), count(args[1])))
}

// uniqCost prices uniq(list), which compares each element with every distinct one before it.
func uniqCost(args []any, _ int64) int64 {
	n := min(size(args[0]), 1<<30)
	return 1 + n + n*n/16
}

// rangeCost prices a..b by the elements it makes, before it makes them.
func rangeCost(args []any, _ int64) int64 {
	return 1 + max(0, count(args[1])-count(args[0])+1)
}

// matchCost prices s matches pattern when the pattern is not written in the config:
// compiling it costs a few steps per byte.
func matchCost(args []any, _ int64) int64 {
	s, _ := args[0].(string)
	pattern, _ := args[1].(string)
	return 1 + int64(len(s))/bytesPerStep + 4*int64(len(pattern))
}

// size is what one pass over v costs: its length for a list or object, its bytes over
// bytesPerStep for text, nothing for a number, a boolean or null.
func size(v any) int64 {
	switch v := v.(type) {
	case nil, bool, int, int64, float64:
		return 0
	case string:
		return int64(len(v)) / bytesPerStep
	case []byte:
		return int64(len(v)) / bytesPerStep
	case []any:
		return int64(len(v))
	case map[string]any:
		return int64(len(v))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return int64(rv.Len()) / bytesPerStep
	case reflect.Slice, reflect.Array, reflect.Map:
		return int64(rv.Len())
	}
	return 0
}

// count reads a number operand as an integer; anything else counts 0, and the operation
// itself reports it.
func count(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float64:
		if v > 1<<50 {
			return 1 << 50
		}
		if v < -(1 << 50) {
			return -(1 << 50)
		}
		return int64(v)
	}
	return 0
}
