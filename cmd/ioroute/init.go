package main

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ioroute/ioroute/schema"
)

// starter holds the files `ioroute init` writes besides the schemas.
//
//go:embed starter/app.yaml starter/app.test.yaml starter/index.html
var starter embed.FS

// initCmd runs `ioroute init [DIR]`: a starter config, its test, a page, and the two schemas
// the files' modelines name, so that editors work offline.
func initCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprintf(stderr, "ioroute init: name at most one folder (got %d)\n", len(args))
		return 2
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	files := []struct {
		name string
		body []byte
	}{
		{"app.yaml", mustRead("starter/app.yaml")},
		{"app.test.yaml", mustRead("starter/app.test.yaml")},
		{"index.html", mustRead("starter/index.html")},
		{"ioroute.schema.json", schema.Generate()},
		{"ioroute.tests.schema.json", schema.GenerateTests()},
	}
	// Never overwrite: a starter is for a fresh folder.
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			fmt.Fprintf(stderr, "ioroute init: %s already exists; choose an empty folder (ioroute init DIR)\n", filepath.Join(dir, f.name))
			return 1
		} else if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "ioroute init: %v\n", err)
			return 1
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "ioroute init: %v\n", err)
		return 1
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.body, 0o644); err != nil {
			fmt.Fprintf(stderr, "ioroute init: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", path)
	}
	app := filepath.Join(dir, "app.yaml")
	fmt.Fprintf(stdout, `
next:
  ioroute test %s        # run app.test.yaml against app.yaml
  ioroute run --watch %s # serve it, reloading on save; open http://127.0.0.1:3000 in two tabs
  ioroute validate %s    # check the config without serving it
In VS Code, install the YAML extension (redhat.vscode-yaml): the first line of app.yaml and
app.test.yaml points it at the schemas, for completion, docs on hover and errors as you type.
`, dir, app, app)
	return 0
}

func mustRead(name string) []byte {
	b, err := starter.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}
