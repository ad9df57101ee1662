// Package docscheck holds no code: its test checks the repository's
// documentation (links and anchors in the Markdown files, the functions
// docs/theory.md names, and that no file refers to notes that are not in
// the repository).
package docscheck
