package testrun

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// settle is how long the files must stay quiet before the tests run again, so that a burst
// of writes (an editor's truncate and write, or temporary file and rename) makes one run.
const settle = 150 * time.Millisecond

// Watch calls run, then again each time one of the files it returns changes, or a test file
// appears beside them, until ctx ends. It watches the files' folders, so that editors that
// save by renaming a temporary file over the original are seen too.
func Watch(ctx context.Context, run func() (sources []string)) error {
	for {
		sources := run()
		w, err := fsnotify.NewWatcher()
		if err != nil {
			return err
		}
		watched := map[string]bool{}
		for _, s := range sources {
			abs, err := filepath.Abs(s)
			if err != nil {
				continue
			}
			watched[abs] = true
			_ = w.Add(filepath.Dir(abs)) // a folder that vanished is simply not watched
		}
		changed := waitChange(ctx, w, watched)
		w.Close()
		if !changed {
			return nil
		}
	}
}

// waitChange waits for a change to a watched file (or a new test file) and for the files to
// settle; false when ctx ended first.
func waitChange(ctx context.Context, w *fsnotify.Watcher, watched map[string]bool) bool {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-w.Events:
			if !ok {
				return false
			}
			name := filepath.Clean(ev.Name)
			if watched[name] || (IsTestFile(name) && ev.Op&fsnotify.Create != 0) {
				timer.Reset(settle)
			}
		case <-w.Errors:
		case <-timer.C:
			return true
		}
	}
}
