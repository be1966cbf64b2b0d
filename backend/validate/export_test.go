package validate

import "io/fs"

// NewFSLiteral compiles the schemas in fsys exactly as written, without the
// rewrites of rewrite.go, so that tests can check that both forms agree.
func NewFSLiteral(fsys fs.FS) (*Validator, error) { return newFS(fsys, false) }
