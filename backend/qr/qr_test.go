package qr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

// The SVG's path, read back into modules, must be exactly the code's
// bitmap. (That the code decodes is checked by the browser tests, with
// zbarimg reading the QR code as shown on screen.)
func TestSVGDrawsEveryModule(t *testing.T) {
	for _, text := range []string{
		"https://veikart.example/#/invitation/0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
		"x",
	} {
		svg, err := SVG(text)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := qrcode.New(text, qrcode.Medium)
		want := code.Bitmap()
		n := len(want)
		if !strings.HasPrefix(svg, fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d"`, n, n)) || !strings.HasSuffix(svg, `"/></svg>`) {
			t.Fatalf("not the expected SVG document: %.100s", svg)
		}
		got := make([][]bool, n)
		for i := range got {
			got[i] = make([]bool, n)
		}
		for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(svg, -1) {
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			for i := x; i < x+w; i++ {
				if got[y][i] {
					t.Fatalf("module %d,%d drawn twice", i, y)
				}
				got[y][i] = true
			}
		}
		for y := range want {
			for x := range want[y] {
				if got[y][x] != want[y][x] {
					t.Fatalf("%q: module %d,%d is %v, want %v", text, x, y, got[y][x], want[y][x])
				}
			}
		}
	}
}

func TestSVGRefusesTooLong(t *testing.T) {
	if _, err := SVG(strings.Repeat("x", 3000)); err == nil {
		t.Error("text too long for a QR code was accepted")
	}
}
