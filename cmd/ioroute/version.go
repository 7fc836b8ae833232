package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionLine tells which ioroute this is, from the build information Go records in the
// binary: the module's version ("(devel)" for a build from a work tree), the commit and its
// time, whether the work tree had changes, and the Go version.
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "ioroute (no build information) " + runtime.Version()
	}
	return formatVersion(info)
}

// formatVersion renders info as versionLine's line.
func formatVersion(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	commit := settings["vcs.revision"]
	if commit == "" {
		commit = "unknown"
	} else {
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if t := settings["vcs.time"]; t != "" {
			commit += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			commit += ", modified"
		}
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	return fmt.Sprintf("ioroute %s, commit %s, %s %s/%s", version, commit, goVersion, runtime.GOOS, runtime.GOARCH)
}
