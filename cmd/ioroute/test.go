package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ioroute/ioroute/router/testrun"
)

// testCmd runs `ioroute test [--junit FILE] [--watch] [PATH...]`.
func testCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	junit := fs.String("junit", "", "also write the results as JUnit XML to this file")
	watch := fs.Bool("watch", false, "run the tests again whenever a test file or its config changes")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	once := func() (int, []string) {
		suite, err := testrun.Load(paths)
		if err != nil {
			// Nothing runs while any file is wrong, as validate reports every problem.
			fmt.Fprintln(stderr, err)
			return 1, suite.Sources()
		}
		rep := suite.Run(stdout)
		if *junit != "" {
			if err := writeJUnit(*junit, rep); err != nil {
				fmt.Fprintf(stderr, "ioroute test: %v\n", err)
				return 1, suite.Sources()
			}
		}
		if rep.Failed() > 0 {
			return 1, suite.Sources()
		}
		return 0, suite.Sources()
	}
	if !*watch {
		code, _ := once()
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = testrun.Watch(ctx, func() []string {
		_, sources := once()
		fmt.Fprintln(stdout, "watching the tests and their configs; Ctrl-C stops")
		return sources
	})
	if err != nil {
		fmt.Fprintf(stderr, "ioroute test: %v\n", err)
		return 1
	}
	return 0
}

func writeJUnit(path string, rep *testrun.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteJUnit(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
