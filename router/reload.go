package router

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/router/table"
)

// Swap makes t the serving table and returns what changed. Connected sockets keep their
// connection, rooms and pending acknowledgements; an event is handled entirely by the table
// it started with. Sockets of namespaces t no longer declares are disconnected, and the guard
// refuses new ones.
func (r *Router) Swap(t *table.Table) table.Diff {
	for _, name := range t.Names() {
		r.declare(name) // before the table names it, so no socket can reach it undeclared
	}
	old := r.current.Swap(t)
	r.declareMetrics(t)
	engine.SetRecoveryLimits(r.io.Sockets(), t.File.Server.Limits.RecoveryBytes, t.File.Server.Limits.MaxConnections)
	d := table.Compare(old, t)
	if r.cluster != nil {
		r.cluster.Follow(t.Names())
	}
	for _, name := range d.RemovedNamespaces {
		if ns := r.namespace(name); ns != nil {
			r.log.Warn("namespace removed by reload: disconnecting its sockets", "namespace", name, "sockets", ns.Sockets().Len())
			ns.Local().DisconnectSockets(false) // this node's only: other nodes may still declare it
		}
	}
	return d
}

// ReloadFile runs the same parse, check and compile as validate on path and swaps the result
// in. On any error the current table goes on serving, every error is logged with its
// position, and the error is returned.
func (r *Router) ReloadFile(path string) error {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	start := time.Now()
	t, err := table.Load(path)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				r.log.Error("reload: "+e.Error(), "config", path)
			}
		} else {
			r.log.Error("reload: "+err.Error(), "config", path)
		}
		r.log.Error("reload failed; still serving the previous config", "config", path)
		r.countReload(false)
		return err
	}
	r.countReload(true)
	d := r.Swap(t)
	r.log.Info(fmt.Sprintf("reloaded %s in %s: %s", filepath.Base(path), time.Since(start).Round(time.Microsecond), d))
	// compared with what is serving, not with the previous file: a setting changed and then
	// changed back needs no restart
	if restart := config.RestartChanged(r.startFile, t.File.Server); len(restart) > 0 {
		r.log.Warn("restart required for changed settings; the rest of the reload applies", "settings", strings.Join(restart, ","))
	}
	return nil
}
