package embedded

// SetWALRestartFrames makes the WAL start over after n frames, for a test
// that cannot write 64 MiB quickly; the returned function restores it.
func SetWALRestartFrames(n int64) (restore func()) {
	old := walRestartFrames
	walRestartFrames = n
	return func() { walRestartFrames = old }
}
