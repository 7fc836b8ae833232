package testfile

import (
	"time"

	"github.com/ioroute/ioroute/config"
)

// File is a parsed test file.
type File struct {
	// Name is the file's path, as positions show it.
	Name string
	// Config is the path of the config under test; ConfigPos is where the file names it.
	Config    string
	ConfigPos config.Pos
	// Redis keeps the config's Redis adapter.
	Redis bool
	Tests []*Test
}

// Test is one test of a file.
type Test struct {
	Name    string
	Pos     config.Pos
	Env     map[string]string
	Clients map[string]*Client
	// Order lists the client names in the order they were declared.
	Order   []string
	Timeout time.Duration
	// Calls answer the config's call steps: the test's own stubs, then the file's it does not
	// replace; the first that matches a request answers it.
	Calls []*Stub
	Steps []*Step
}

// Client is one named client of a test.
type Client struct {
	Name      string
	Pos       config.Pos
	Namespace string
	// Auth and Query are as written; their strings may hold placeholders (Value).
	Auth     *Value
	Query    *Value
	JWT      *JWT
	Protocol int
}

// JWT is a token to sign into a client's auth.token.
type JWT struct {
	Secret    *Value
	Sub, Aud  string
	ExpiresIn time.Duration
	Expired   bool
}

// Step is one step of a test. Kind says which of the other fields are set.
type Step struct {
	Kind string
	Pos  config.Pos
	Path string
	// Timeout is how long the step waits; 0 means its kind's default.
	Timeout time.Duration
	// Clients are the clients a connect or disconnect step names.
	Clients []string
	// Client, Event, Data, Args and the ack fields are an emit's; Client, Message and Data a
	// refused step's.
	Client      string
	Event       string
	Data        *Value
	Args        *Value
	Message     *string
	Ack         *Value
	AckArgs     *Value
	AckContains *Value
	// Expect is an expect step's expectations, one per client, in file order.
	Expect []*ClientExpect
	// Printed are a printed step's lines.
	Printed []*Value
	// Rooms are a rooms step's expectations, one per client, in file order.
	Rooms []*ClientRooms
	// Called are a called step's requests, in order.
	Called []*CallCheck
}

// WantsAck reports whether an emit step asks for an acknowledgement.
func (s *Step) WantsAck() bool { return s.Ack != nil || s.AckArgs != nil || s.AckContains != nil }

// ClientExpect is what one client should receive in an expect step.
type ClientExpect struct {
	Client string
	Pos    config.Pos
	// Nothing: no event arrives; Disconnected: the server disconnects the client.
	Nothing, Disconnected bool
	Events                []*Event
}

// Event is one expected event.
type Event struct {
	Pos      config.Pos
	Name     string
	Data     *Value
	Args     *Value
	Contains *Value
	Reply    *Value
}

// ClientRooms is the rooms one client's socket should be in.
type ClientRooms struct {
	Client string
	Pos    config.Pos
	Rooms  []*Value
}

// Stub answers the calls whose method and URL match it, in place of a backend.
type Stub struct {
	// Key is the stub's `METHOD URL`, as written.
	Key    string
	Pos    config.Pos
	Method string
	// URL is the pattern a request's URL must match, `*` standing for any text; it may hold
	// `${{ env.NAME }}`.
	URL     *Value
	Status  int
	Headers *Value
	Body    *Value
	Delay   time.Duration
	// Fail, when not empty, is the error the call fails with instead of a reply.
	Fail string
}

// CallCheck is one request a called step expects.
type CallCheck struct {
	// Key is the request's `METHOD URL`, as written.
	Key      string
	Pos      config.Pos
	Method   string
	URL      *Value
	Body     *Value
	Contains *Value
	Headers  *Value
}
