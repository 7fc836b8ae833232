package ws

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// frameRecorder is a sink that writes down what it gets.
type frameRecorder struct{ got []string }

func (r *frameRecorder) Message(op Opcode, p []byte) {
	r.got = append(r.got, fmt.Sprintf("msg%d:%s", op, p))
}
func (r *frameRecorder) Control(op Opcode, p []byte) {
	r.got = append(r.got, fmt.Sprintf("ctl%d:%s", op, p))
}

func TestWSParser(t *testing.T) {
	long := strings.Repeat("a", 70_000)
	mid := strings.Repeat("b", 300)
	cat := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	tests := []struct {
		name  string
		in    []byte
		limit int64
		want  []string
		code  int // close code of the expected protocol error; 0 for none
	}{
		{name: "text", in: ClientFrame(0x81, []byte(`42["m",1]`), true), want: []string{`msg1:42["m",1]`}},
		{name: "binary", in: ClientFrame(0x82, []byte{0, 1, 2}, true), want: []string{"msg2:\x00\x01\x02"}},
		{name: "16-bit and 64-bit lengths", in: cat(ClientFrame(0x81, []byte(mid), true), ClientFrame(0x81, []byte(long), true)),
			want: []string{"msg1:" + mid, "msg1:" + long}},
		{name: "fragments with a ping between them", in: cat(
			ClientFrame(0x01, []byte("4"), true), ClientFrame(0x89, []byte("hi"), true),
			ClientFrame(0x00, []byte("2["), true), ClientFrame(0x80, []byte(`"m"]`), true)),
			want: []string{"ctl9:hi", `msg1:42["m"]`}},
		{name: "close", in: ClientFrame(0x88, []byte{0x03, 0xe8}, true), want: []string{"ctl8:\x03\xe8"}},
		{name: "empty text", in: ClientFrame(0x81, nil, true), want: []string{"msg1:"}},
		{name: "unmasked", in: ClientFrame(0x81, []byte("4"), false), code: CloseProtocol},
		{name: "reserved bit", in: ClientFrame(0xc1, []byte("4"), true), code: CloseProtocol},
		{name: "unknown opcode", in: ClientFrame(0x83, []byte("4"), true), code: CloseProtocol},
		{name: "fragmented ping", in: ClientFrame(0x09, []byte("x"), true), code: CloseProtocol},
		{name: "long ping", in: ClientFrame(0x89, []byte(mid), true), code: CloseProtocol},
		{name: "continuation first", in: ClientFrame(0x80, []byte("4"), true), code: CloseProtocol},
		{name: "message inside a message", in: cat(ClientFrame(0x01, []byte("4"), true), ClientFrame(0x81, []byte("4"), true)), code: CloseProtocol},
		{name: "too big in one frame", in: ClientFrame(0x81, []byte(mid), true), limit: 100, code: CloseTooBig},
		{name: "too big in fragments", in: cat(ClientFrame(0x01, []byte(mid[:80]), true), ClientFrame(0x80, []byte(mid[:80]), true)), limit: 100, code: CloseTooBig},
		{name: "text not UTF-8", in: ClientFrame(0x81, []byte{'4', 0xff, 0xfe}, true), code: CloseInvalidData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			// whole, then byte by byte as a slow network would hand it over
			for _, split := range []bool{false, true} {
				p := parser{limit: limit}
				rec := &frameRecorder{}
				var buf []byte
				var err *Error
				feed := func(b []byte) {
					buf = append(buf, b...)
					used, need, e := p.parse(buf, rec)
					buf = buf[used:]
					if e == nil && len(buf) >= need {
						t.Fatalf("split=%v: need %d with %d bytes held", split, need, len(buf))
					}
					if e != nil && err == nil {
						err = e
					}
				}
				in := bytes.Clone(tt.in)
				if split {
					for i := range in {
						if err == nil {
							feed(in[i : i+1])
						}
					}
				} else {
					feed(in)
				}
				if tt.code != 0 {
					if err == nil || err.Code != tt.code {
						t.Fatalf("split=%v: error %v, want close code %d", split, err, tt.code)
					}
					continue
				}
				if err != nil {
					t.Fatalf("split=%v: %v", split, err)
				}
				if len(buf) != 0 {
					t.Fatalf("split=%v: %d bytes left over", split, len(buf))
				}
				if fmt.Sprint(rec.got) != fmt.Sprint(tt.want) {
					t.Fatalf("split=%v: got %.200q, want %.200q", split, rec.got, tt.want)
				}
			}
		})
	}
}

func TestUnmask(t *testing.T) {
	key := []byte{1, 2, 3, 4}
	for n := range 40 {
		p := bytes.Repeat([]byte{0xaa}, n)
		unmask(p, key)
		for i, c := range p {
			if c != 0xaa^key[i%4] {
				t.Fatalf("length %d, byte %d: %#x", n, i, c)
			}
		}
	}
}

// FuzzWSFrames: whatever a client sends, the parser does not panic, never asks for fewer bytes
// than it holds, and cutting the bytes anywhere gives what it gives them whole.
func FuzzWSFrames(f *testing.F) {
	f.Add(ClientFrame(0x81, []byte(`42["m",1]`), true), 3)
	f.Add(append(ClientFrame(0x01, []byte("4"), true), ClientFrame(0x80, []byte("2"), true)...), 7)
	f.Add(ClientFrame(0x89, []byte("x"), true), 1)
	f.Add(ClientFrame(0x82, bytes.Repeat([]byte{9}, 200), true), 100)
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		run := func(parts ...[]byte) ([]string, *Error) {
			p := parser{limit: 4096}
			rec := &frameRecorder{}
			var buf []byte
			for _, part := range parts {
				buf = append(buf, part...)
				used, need, err := p.parse(buf, rec)
				if err != nil {
					return rec.got, err
				}
				buf = buf[used:]
				if need <= len(buf) {
					t.Fatalf("need %d with %d bytes held", need, len(buf))
				}
			}
			return rec.got, nil
		}
		whole, werr := run(bytes.Clone(in))
		if cut < 0 {
			cut = -cut
		}
		if len(in) > 0 {
			cut %= len(in) + 1
		} else {
			cut = 0
		}
		c := bytes.Clone(in)
		split, serr := run(c[:cut], c[cut:])
		if (werr == nil) != (serr == nil) || fmt.Sprint(whole) != fmt.Sprint(split) {
			t.Fatalf("whole: %q %v; cut at %d: %q %v", whole, werr, cut, split, serr)
		}
	})
}
