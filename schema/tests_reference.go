package schema

import (
	"fmt"
	"strings"

	"github.com/ioroute/ioroute/config/testfile"
)

// writeTests writes the reference of test files, from config/testfile's fields.
func writeTests(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## Test files (`ioroute test`)\n\n")
	w("`ioroute test [PATH...]` runs the tests of configs: YAML files named `<config>.test.yaml` beside the config they test ")
	w("(or naming it with `config:`). PATH is a test file, a config (its test file), a folder (its test files) or `dir/...` ")
	w("(every test file below dir); none means the current folder. Each test prints one line, `ok` or `FAIL`, then the summary ")
	w("`N passed, N failed`; the exit code is 1 when any test failed. `--junit FILE` also writes JUnit XML for CI, ")
	w("and `--watch` runs the tests again whenever a test file or its config is saved. ")
	w("`ioroute schema --tests` prints the JSON Schema of test files.\n\n")
	w("```yaml\n%s```\n\n", testfile.Example)
	w("Each test runs against a fresh server: the config as `ioroute run` serves it, on a free loopback port, with the test's `env` ")
	w("(and nothing of the environment `ioroute test` runs in) and without the config's Redis adapter unless the file says `redis: true`. ")
	w("Its clients are real Socket.IO clients over websocket. Nothing runs while any test file or config has a problem: ")
	w("an unknown step kind or client, a step using a client that is not connected there, or a config that does not validate is ")
	w("reported as `file:line:col`, as `ioroute validate` reports, and the run exits 1.\n\n")
	w("A failed test shows the step's position in the test file, what it expected against what arrived (a diff: `-` expected, `+` arrived), ")
	w("the config handler the last event ran (its position in the config), and the server's warnings, which name the position ")
	w("of a step of the config that failed.\n\n")
	w("Values in a test are plain YAML, except that a string may name what is only known while the test runs: ")
	w("`${{ bob.id }}` is the socket id of client `bob`, `${{ env.NAME }}` a variable of the test's `env`.\n\n")
	w("Time is real: a step waits for what it expects up to its timeout (1s by default) and fails then, rather than hang; ")
	w("`nothing` watches for 200ms. The server handles each client's events in the order they were sent, but the events of ")
	w("different clients in any order: to make one client's emit count before another's, wait for its effect first ")
	w("(`ack` on the emit, or an `expect`, `printed` or `rooms` step).\n\n")

	w("### Keys of a test file\n\n")
	writeTable(b, testfile.TopFields, "Key", true, true, false, false)
	w("\n### Keys of a test\n\n")
	writeTable(b, testfile.TestFields, "Key", true, true, false, false)
	w("\n### Keys of a client\n\n")
	w("A client written as a string is its namespace (`ann: /chat`). Otherwise:\n\n")
	writeTable(b, testfile.ClientFields, "Key", false, true, false, true)

	w("\n### Calls to a backend\n\n")
	w("In a test, a config's `call` steps never reach the network: they are answered by the stubs the test file lists under `calls`, ")
	w("for every test of the file or in one test, each a `METHOD URL` and the answer:\n\n")
	w("```yaml\n%s```\n\n", testfile.CallsExample)
	w("- A request is answered by the first stub with its method whose URL matches the request's as it is sent, query and escapes ")
	w("included (`/rooms/a%%20b/messages`); a `*` stands for any text. A test's own stubs come before the file's, and replace one of the ")
	w("same `METHOD URL`.\n")
	w("- A call that no stub answers fails, with a message naming it (so `on_error` runs, or the server log shows it), and a failed ")
	w("test lists such calls.\n")
	w("- A stub's reply is read as a backend's: the call's `timeout`, `server.limits.call_body_bytes` and the decoding of JSON apply. ")
	w("A `delay` is waited out in real time (no fake clock), at most %s, and ends with the test.\n", testfile.MaxDelay)
	w("- A stub may hold `${{ env.NAME }}` (in its URL too), but no socket id: the stubs are in place before any client connects.\n")
	w("- The `called` step checks the requests the config made.\n\n")
	writeTable(b, testfile.StubFields, "Key", false, true, false, false)

	w("\n### Steps\n\n")
	w("A step is a mapping with one of the keys below and, optionally, `timeout`: %s\n\n", testfile.StepFields[0].Doc)
	for _, k := range testfile.StepKinds {
		w("#### %s\n\n%s\n\n", k.Name, k.Doc)
		if len(k.Fields) > 0 {
			writeTable(b, k.Fields, "Field", true, false, false, false)
			w("\n")
		}
		w("```yaml\n%s\n```\n\n", k.Example)
	}
}
