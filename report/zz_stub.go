package report

// Write is a temporary stand-in until the renderer lands (lead's branch only).
func Write(dir string, doc Document) error { return nil }
