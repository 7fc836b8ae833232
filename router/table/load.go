package table

import (
	"errors"
	"os"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/schema"
)

// Load reads, parses, checks and compiles a config file. validate, run and reload all use it,
// so a file that validates is exactly a file that runs.
func Load(path string) (*Table, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return LoadBytes(path, src)
}

// LoadBytes is Load for source already read; name is used in positions.
func LoadBytes(name string, src []byte) (*Table, error) {
	f, err := config.Parse(name, src)
	if f == nil {
		return nil, err
	}
	var errs config.Errors
	errs.Append(err)
	t, err := Compile(f)
	errs.Append(err)
	// The schema is derived from the same specs as the checks above; any disagreement that
	// the checks did not already explain is reported too, so neither can drift silently.
	var serrs config.Errors
	if err := schema.Validate(f.Root); errors.As(err, &serrs) {
		for _, se := range serrs {
			if !schema.Covered(se.Path, errs) {
				errs = append(errs, se)
			}
		}
	} else if err != nil {
		errs.Append(err)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return t, nil
}
