package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// staticFolder checks that dir, server.static resolved against the config file's folder, is a
// folder that can be served, reporting at v what to do when it is not, and returns it absolute.
// Without the check a mistyped path would serve an empty site, with a 404 for every page.
func staticFolder(dir string, v *Node, errs *Errors) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	info, err := os.Stat(dir)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		errs.Add(v.Pos, v.Path, "folder %q does not exist (a relative path starts at the config file's folder); create it, or correct the path", dir)
	case errors.As(err, &pe):
		errs.Add(v.Pos, v.Path, "cannot use folder %q: %v; make it readable, or name another folder", dir, pe.Err)
	case err != nil:
		errs.Add(v.Pos, v.Path, "cannot use folder %q: %v", dir, err)
	case !info.IsDir():
		errs.Add(v.Pos, v.Path, "%q is a file, not a folder; name the folder to serve, such as %q", dir, filepath.Dir(dir))
	}
	return dir
}
