package tmpl

// Response is what the steps after a call step read of the backend's reply, as
// `response.status`, `response.headers` and `response.body`. The json names are the
// expression names, so a response sent to a client reads as it does in the config.
type Response struct {
	// Status is the HTTP status code; 0 until a call has run.
	Status int `expr:"status" json:"status"`
	// Headers are the reply's headers: names in lower case, the first value of each; a
	// header not sent is nil.
	Headers map[string]any `expr:"headers" json:"headers"`
	// Body is the reply's body: the decoded value when the reply is JSON, else the text; nil
	// when the reply has no body.
	Body any `expr:"body" json:"body"`
}
