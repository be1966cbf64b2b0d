//go:build race

package api_test

// raceOn is true under the race detector (go test -race).
const raceOn = true
