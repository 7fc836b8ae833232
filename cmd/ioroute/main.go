// Command ioroute serves a Socket.IO server declared in one YAML file.
//
//	ioroute run [--watch] [--listen ADDR] [--log-format text|json] [--log-level LEVEL] [--debug-listen ADDR] [--metrics-listen ADDR] FILE
//	ioroute validate FILE...
//	ioroute schema [--tests]
//	ioroute test [--junit FILE] [--watch] [PATH...]
//	ioroute init [DIR]
//	ioroute version
//	ioroute token --secret SECRET [--sub NAME] [--aud AUDIENCE] [--ttl 1h]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/ioroute/ioroute/internal/profiling"
	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

const usage = `usage:
  ioroute run [flags] FILE     serve the config in FILE (--watch: reload it on change; SIGHUP reloads)
  ioroute validate FILE...     check configs; exit 1 with every error
  ioroute schema [--tests]     print the config's JSON Schema (--tests: the test files')
  ioroute test [PATH...]       run the tests in *.test.yaml files (a file, a folder, ./...; --junit FILE, --watch)
  ioroute init [DIR]           write a starter config, its test, a page and the schemas into DIR
  ioroute version              print the version, commit and Go version
  ioroute passwd               print the bcrypt hash of a password read from the terminal or stdin (server.admin.auth)
  ioroute token --secret S     print an HS256 token for configs that check jwt() (--sub, --aud, --ttl)
`

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runCmd(args[1:], stdout, stderr)
	case "validate":
		return validateCmd(args[1:], stdout, stderr)
	case "token":
		return tokenCmd(args[1:], stdout, stderr)
	case "passwd":
		return passwdCmd(args[1:], stdout, stderr)
	case "schema":
		return schemaCmd(args[1:], stdout, stderr)
	case "test":
		return testCmd(args[1:], stdout, stderr)
	case "init":
		return initCmd(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "ioroute: unknown command %q\n%s", args[0], usage)
	return 2
}

func validateCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "ioroute validate: name at least one config file\n")
		return 2
	}
	code := 0
	for _, path := range args {
		if _, err := table.Load(path); err != nil {
			fmt.Fprintln(stderr, err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", path)
	}
	return code
}

// redisURLEnv names the environment variable that overrides server.adapter.redis.url.
const redisURLEnv = "IOROUTE_REDIS_URL"

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "", "address to listen on, overriding server.listen")
	format := fs.String("log-format", "text", "log format: text or json")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	watch := fs.Bool("watch", false, "reload the config whenever the file changes (SIGHUP reloads too)")
	debugListen := fs.String("debug-listen", "", "serve Go's profiles (/debug/pprof/) on this loopback address; off by default")
	metricsListen := fs.String("metrics-listen", "", "serve Prometheus metrics at /metrics on this address, overriding server.metrics.listen")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "ioroute run: name one config file (got %d)\n", len(files))
		return 2
	}
	logger, err := newLogger(stderr, *format, *level)
	if err != nil {
		fmt.Fprintf(stderr, "ioroute run: %v\n", err)
		return 2
	}
	if *debugListen != "" {
		stopDebug, err := serveDebug(*debugListen, logger)
		if err != nil {
			fmt.Fprintf(stderr, "ioroute run: %v\n", err)
			return 2
		}
		defer stopDebug()
	}
	defer profiling.Start(stderr, "ioroute run")()
	path := files[0]
	t, err := table.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	opts := router.Options{Listen: *listen, Logger: logger, Stdout: stdout, RedisURL: os.Getenv(redisURLEnv), MetricsListen: *metricsListen}
	r, err := router.New(t, opts)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if err := r.Start(); err != nil {
		logger.Error("cannot start", "error", err)
		return 1
	}
	watching := make(chan struct{})
	if *watch {
		go func() {
			defer close(watching)
			if err := r.Watch(ctx, path); err != nil {
				logger.Error("cannot watch the config; SIGHUP still reloads it", "error", err)
			}
		}()
	} else {
		close(watching)
	}
serve:
	for {
		select {
		case <-ctx.Done():
			break serve
		case <-hup:
			_ = r.ReloadFile(path) // logged; the previous config keeps serving on error
		}
	}
	stop()
	<-watching
	// a second SIGINT or SIGTERM exits at once
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	logger.Info("shutting down: disconnecting clients (signal again to exit at once)")
	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	select {
	case err := <-closed:
		if err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("shutdown", "error", err)
			return 1
		}
		logger.Info("stopped")
		return 0
	case <-again:
		logger.Warn("second signal: exiting now")
		return 1
	}
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("bad --log-format %q: use text or json", format)
}
