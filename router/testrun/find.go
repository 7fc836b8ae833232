package testrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/router/table"
)

// IsTestFile reports whether name is a test file's name.
func IsTestFile(name string) bool {
	return strings.HasSuffix(name, ".test.yaml") || strings.HasSuffix(name, ".test.yml")
}

// Find lists the test files that paths name, as `go test` reads its arguments: a test file;
// a config, meaning the test file beside it; a folder, meaning the test files in it; and
// `dir/...`, meaning those in dir and every folder below it. No paths means ".".
func Find(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		if root, ok := strings.CutSuffix(p, "..."); ok {
			root = filepath.Clean(strings.TrimSuffix(root, "/"))
			if root == "" {
				root = "."
			}
			found, err := walk(root)
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no test files (*.test.yaml) in %s or below", p, root)
			}
			for _, f := range found {
				add(f)
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			found, err := inDir(p)
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no test files (*.test.yaml) in this folder (%s/... looks below it too)", p, strings.TrimSuffix(p, "/"))
			}
			for _, f := range found {
				add(f)
			}
			continue
		}
		if IsTestFile(p) {
			add(p)
			continue
		}
		ext := filepath.Ext(p)
		beside := strings.TrimSuffix(p, ext) + ".test" + ext
		if _, err := os.Stat(beside); err != nil {
			return nil, fmt.Errorf("%s: no test file for this config; write its tests in %s", p, beside)
		}
		add(beside)
	}
	return out, nil
}

func inDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && IsTestFile(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// walk lists the test files under root, skipping node_modules and hidden folders.
func walk(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if IsTestFile(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Suite is a set of test files, each with its compiled config, ready to run.
type Suite struct {
	Files []*File
	// sources are the test files found and the configs they name, loaded or not.
	sources []string
}

// File is one test file and the config it tests.
type File struct {
	Test  *testfile.File
	Table *table.Table
}

// Load finds the test files paths name and reads each with its config. Every problem of
// every file is returned at once, positioned as `ioroute validate` positions them, so that
// nothing runs while anything is wrong.
func Load(paths []string) (*Suite, error) {
	files, err := Find(paths)
	if err != nil {
		return &Suite{}, err
	}
	s := &Suite{}
	var errs []error
	for _, path := range files {
		f, err := LoadFile(path)
		if err != nil {
			s.sources = append(s.sources, path, testfile.DefaultConfig(path))
			errs = append(errs, err)
			continue
		}
		s.sources = append(s.sources, path, f.Test.Config)
		s.Files = append(s.Files, f)
	}
	return s, errors.Join(errs...)
}

// LoadFile reads one test file and its config, which is checked here with the environment
// of the file's first test (each test loads it again with its own: see loadConfig).
func LoadFile(path string) (*File, error) {
	tf, err := testfile.Load(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	if len(tf.Tests) > 0 {
		env = tf.Tests[0].Env
	}
	t, err := loadConfig(tf, env)
	if errors.Is(err, fs.ErrNotExist) {
		var es config.Errors
		es.Add(tf.ConfigPos, "config", "cannot read the config %s: it does not exist; name the config under test with `config:`", tf.Config)
		return nil, es.Err()
	}
	if err != nil {
		return nil, err
	}
	return &File{Test: tf, Table: t}, nil
}

// loadMu holds config.LookupEnv on one test's environment while that test's config loads.
var loadMu sync.Mutex

// loadConfig loads tf's config as a test runs it: what the config reads from the environment
// at load (`${{ env.NAME }}` in server settings, a call's host) comes from env alone, the
// cluster adapter is left out unless the file asks for Redis, and so is a metrics listener,
// whose fixed port would clash between tests.
func loadConfig(tf *testfile.File, env map[string]string) (*table.Table, error) {
	loadMu.Lock()
	saved := config.LookupEnv
	config.LookupEnv = func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	t, err := table.Load(tf.Config)
	config.LookupEnv = saved
	loadMu.Unlock()
	if err != nil {
		return nil, err
	}
	if !tf.Redis {
		t.File.Server.Adapter = config.Adapter{}
	}
	t.File.Server.Metrics = nil
	return t, nil
}

// Sources are the files a suite was read from (test files and configs), which --watch
// follows; those of files that failed to load too.
func (s *Suite) Sources() []string { return s.sources }
