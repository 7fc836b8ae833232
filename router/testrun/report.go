package testrun

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is the outcome of a suite's run.
type Report struct {
	Results []Result
	Elapsed time.Duration
}

// Failed counts the failed tests.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if !res.Passed() {
			n++
		}
	}
	return n
}

// parallelFiles is how many test files run at once. Each test has its own server on its own
// port, and most of a test's time is spent waiting (for `nothing`, say), so files overlap
// well even on one core; the tests of one file run one after another.
const parallelFiles = 4

// Run runs every test of the suite, writing one line per test (with the failure below it
// when it failed), in file order, and the summary `N passed, N failed`.
func (s *Suite) Run(w io.Writer) *Report {
	start := time.Now()
	done := make([]chan []Result, len(s.Files))
	slots := make(chan struct{}, parallelFiles)
	for i, f := range s.Files {
		done[i] = make(chan []Result, 1)
		go func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			var out []Result
			for _, t := range f.Test.Tests {
				out = append(out, RunTest(f, t))
			}
			done[i] <- out
		}()
	}
	rep := &Report{}
	for _, ch := range done {
		for _, res := range <-ch {
			rep.Results = append(rep.Results, res)
			writeResult(w, res)
		}
	}
	rep.Elapsed = time.Since(start)
	fmt.Fprintf(w, "%d passed, %d failed (%s)\n", len(rep.Results)-rep.Failed(), rep.Failed(), rep.Elapsed.Round(time.Millisecond))
	return rep
}

func writeResult(w io.Writer, res Result) {
	status := "ok  "
	if !res.Passed() {
		status = "FAIL"
	}
	fmt.Fprintf(w, "%s %s: %s (%s)\n", status, res.File, res.Name, res.Elapsed.Round(time.Millisecond))
	if !res.Passed() {
		fmt.Fprintln(w, indent(res.Failure, "     "))
	}
}

// JUnit XML, as CI systems read it: a testsuite per test file.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Tests: len(r.Results), Failures: r.Failed(), Time: seconds(r.Elapsed)}
	index := map[string]int{}
	var times []time.Duration
	for _, res := range r.Results {
		i, ok := index[res.File]
		if !ok {
			i = len(out.Suites)
			index[res.File] = i
			out.Suites = append(out.Suites, junitSuite{Name: res.File})
			times = append(times, 0)
		}
		s := &out.Suites[i]
		c := junitCase{Name: res.Name, Classname: strings.TrimSuffix(res.File, ".yaml"), File: res.File, Line: res.Pos.Line, Time: seconds(res.Elapsed)}
		if !res.Passed() {
			first, _, _ := strings.Cut(res.Failure, "\n")
			c.Failure = &junitFailure{Message: first, Text: res.Failure}
			s.Failures++
		}
		s.Tests++
		times[i] += res.Elapsed
		s.Time = seconds(times[i])
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
