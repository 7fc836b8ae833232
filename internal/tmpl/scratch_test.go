package tmpl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
)

func TestScratch(t *testing.T) {
	items := make([]any, 1000)
	for i := range items {
		items[i] = map[string]any{"id": float64(i), "name": "item", "tags": []any{"a", "b"}}
	}
	for _, c := range []struct{ src string; data any }{
		{`map(data, #.name + "!")`, items},
		{`count(data, "a" in #.tags and #.id > 10)`, items},
		{`filter(data, #.id > 10)`, items},
		{`toJSON(data)`, items},
		{`data.text + " from " + socket.id`, map[string]any{"text": strings.Repeat("x", 1000000)}},
		{`len(reduce(1..data, {#acc + "xxxxxxxxxx"}, ""))`, 40000.0},
	} {
		var errs config.Errors
		p := compile(c.src, config.Pos{}, "v", Scopes{EventScope: true}, false, &errs)
		if p == nil { t.Fatal(errs.Err()) }
		b := &Budget{}
		b.Reset(100000)
		env := &Env{Data: c.data, Socket: Socket{ID: "sid"}}
		env.SetBudget(b)
		_, err := p.Run(env)
		fmt.Printf("%-50s used %d err %v\n", c.src, 100000-b.left, err)
	}
	for _, c := range []struct{ src string; data any }{
		{`data.roomName`, "a string"},
		{`data.user.name`, map[string]any{}},
		{`data[0]`, map[string]any{"a": 1.0}},
		{`data.list[5]`, map[string]any{"list": []any{1.0, 2.0, 3.0}}},
		{`data.a + 1`, map[string]any{"a": "x"}},
		{`map(data, # * 2)`, []any{"a"}},
		{`upper(data)`, 5.0},
		{`len(data)`, 5.0},
		{`not data`, "x"},
		{`data.a and true`, map[string]any{"a": "x"}},
		{`data ? 1 : 2`, "x"},
		{`data.x`, strings.Repeat("long text ", 10)},
		{`data - 1`, map[string]any{"a": 1.0, "b": []any{1.0, 2.0}}},
		{`-data`, "x"},
		{`data.a < 3`, map[string]any{"a": "x"}},
		{`data.a .. 3`, map[string]any{"a": "x"}},
		{`data contains "a"`, 3.0},
		{`data in 3`, 3.0},
		{`int(data)`, map[string]any{"a": 1.0}},
		{`int(data)`, "abc"},
		{`7 % data`, 0.0},
		{`data.a.b`, map[string]any{"a": 3.0}},
		{`args[3]`, nil},
		{`socket.handshake.query.x.y`, nil},
		{`split(data, ",")`, 3.0},
		{`join(data)`, []any{1.0}},
		{`sum(data)`, []any{"a"}},
		{`data / 2`, "x"},
		{`date(data)`, "nope"},
		{`fromJSON(data)`, "{"},
	} {
		var errs config.Errors
		p := compile(c.src, config.Pos{}, "v", Scopes{EventScope: true}, false, &errs)
		if p == nil { fmt.Println(c.src, "COMPILE", errs.Err()); continue }
		_, err := p.Run(&Env{Data: c.data, Socket: Socket{ID: "sid"}})
		fmt.Printf("%-30s -> %v\n", c.src, err)
	}
	for _, src := range []string{"dta", "zzzzzz", "uper(data)", "socket.roms", "socket.handshake.adress", "socket.id.x", "socket.id + 1", "filter(args, 1)", "filter(socket.id, true)", "socket.id ? 1 : 2", "$env.dta", "not socket.id", "-socket.id", "socket.rooms()", "data.", "socket.id == 1", "args[socket.id]", "socket.rooms.x", "reason"} {
		var errs config.Errors
		p := compile(src, config.Pos{Line: 1, Col: 1}, "v", Scopes{EventScope: true}, false, &errs)
		fmt.Printf("%-30s -> %v (%v)\n", src, errs.Err(), p != nil)
	}
	for _, src := range []string{"len(args)", "data.a + 1", "socket.id", "nil"} {
		var errs config.Errors
		p := compile(src, config.Pos{Line: 1, Col: 1}, "v", Scopes{EventScope: true}, true, &errs)
		if p == nil { fmt.Printf("when %-25s -> %v\n", src, errs.Err()); continue }
		_, err := p.Run(&Env{Data: map[string]any{"a": 1.0}})
		fmt.Printf("when %-25s -> %v\n", src, err)
	}
}
