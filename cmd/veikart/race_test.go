//go:build race

package main

// raceOn is true under the race detector (go test -race).
const raceOn = true
