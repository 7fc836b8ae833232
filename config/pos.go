package config

import "fmt"

// Pos is a position in a config file: 1-based line and column.
type Pos struct {
	File string
	Line int
	Col  int
}

// String renders the position as file:line:col, dropping parts that are unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// Shift returns the position moved right by n columns on the same line.
func (p Pos) Shift(n int) Pos {
	if p.Col > 0 {
		p.Col += n
	}
	return p
}
