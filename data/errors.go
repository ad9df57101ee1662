package data

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error returned by a reader wraps one of them.
var (
	ErrTruncated   = errors.New("truncated file")
	ErrBadMagic    = errors.New("wrong magic number")
	ErrFormat      = errors.New("malformed file")
	ErrUnsupported = errors.New("unsupported format")
	ErrTooLarge    = errors.New("too large")
	ErrMismatch    = errors.New("count mismatch")
	ErrNonFinite   = errors.New("NaN or Inf value")
	ErrRagged      = errors.New("ragged rows")
	ErrEmpty       = errors.New("empty data set")
	ErrNotFound    = errors.New("dataset not found")
	ErrSpec        = errors.New("invalid specification")
	ErrIsDir       = errors.New("is a directory")
)

// FileError is a failure tied to one file (or stream name).
type FileError struct {
	Path string // file name as given by the caller
	Err  error  // wraps one of the sentinel errors
}

func (e *FileError) Error() string { return "data: " + e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// fileErr builds a *FileError for path wrapping kind with a formatted detail.
func fileErr(path string, kind error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if msg == "" {
		return &FileError{Path: path, Err: kind}
	}
	return &FileError{Path: path, Err: fmt.Errorf("%w: %s", kind, msg)}
}

// specErr reports an invalid synthetic or preprocessing specification.
func specErr(format string, args ...any) error {
	return fmt.Errorf("data: %w: %s", ErrSpec, fmt.Sprintf(format, args...))
}
