package router

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// settle is how long a file must stay quiet before it is reloaded, so a burst of writes
// (truncate then write, or an editor's temp file and rename) makes one reload.
const settle = 100 * time.Millisecond

// Watch reloads the config at path each time it changes, until ctx ends. It watches the
// file's folder, so editors that save by writing a temporary file and renaming it over the
// config are seen too. A file caught empty (truncated, about to be written) or deleted is not
// loaded: the previous table keeps serving, and the file is read again at its next change. A
// file caught half-written fails to load and is likewise read again at its next change.
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
			if filepath.Clean(ev.Name) == abs && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Chmod|fsnotify.Remove) != 0 {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("watching config", "error", err)
		case <-timer.C:
			r.reloadChanged(path)
		}
	}
}

// reloadChanged reloads the watched file after it changed, unless it is gone or empty (an
// editor truncates before it writes): those are logged, not errors, and the previous table
// keeps serving. Failures are logged; the next change is tried again.
func (r *Router) reloadChanged(path string) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.log.Warn("the config file was deleted; still serving the previous config, which is reloaded when the file is back", "config", path)
		return
	case err == nil && info.Size() == 0:
		r.log.Info("the config file is empty, as while it is being saved; still serving the previous config until it is written", "config", path)
		return
	}
	_ = r.ReloadFile(path)
}
