package router

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// settle is how long a file must stay quiet before it is reloaded, so a burst of writes
// (truncate then write, or an editor's temp file and rename) makes one reload.
const settle = 100 * time.Millisecond

// Watch reloads the config at path each time it changes, until ctx ends. It watches the
// file's folder, so editors that save by writing a temporary file and renaming it over the
// config are seen too. A file caught half-written fails to load, keeps the previous table, and
// is read again at its next change.
func (r *Router) Watch(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(filepath.Dir(abs)); err != nil {
		return err
	}
	r.log.Info("watching for changes", "config", path)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Clean(ev.Name) == abs && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Chmod) != 0 {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("watching config", "error", err)
		case <-timer.C:
			_ = r.ReloadFile(path) // failures are logged; the next change is tried again
		}
	}
}
