// Package pwa holds the installable web app. The files are embedded into the
// binary, so that `veikart serve` serves the app with nothing else installed.
package pwa

import "embed"

// FS holds the app's files.
//
//go:embed index.html app.css
var FS embed.FS
