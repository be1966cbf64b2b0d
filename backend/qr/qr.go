// Package qr draws QR codes as SVG, for the invitation a caseworker scans
// at the family's table. SVG rather than PNG: it is small, sharp at any
// size, and the app can show it as an image under its strict CSP.
package qr

import (
	"fmt"
	"strings"

	"github.com/skip2/go-qrcode"
)

// SVG returns text as a QR code in an SVG document: black modules on white
// with the standard four-module quiet zone, one path for all modules.
func SVG(text string) (string, error) {
	code, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr: encode: %w", err)
	}
	bits := code.Bitmap() // includes the quiet zone
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < n; x++ {
			if !row[x] {
				continue
			}
			run := 1 // draw a run of dark modules as one rectangle
			for x+run < n && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
