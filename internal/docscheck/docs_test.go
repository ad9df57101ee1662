package docscheck

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot returns the directory holding go.mod, found upwards from the
// test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "go.mod not found above the test directory")
		dir = parent
	}
}

// repoFiles returns the paths (relative to root, slash-separated) of the
// regular files of the repository outside .git.
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	return files
}

// TestNoExternalNotes: the repository stands on its own, so no file may
// point to the notes the project started from (built from parts here so
// that this file does not match itself).
func TestNoExternalNotes(t *testing.T) {
	root := repoRoot(t)
	names := []string{"PAPER" + ".md", "DESIGN" + ".md"}
	for _, f := range repoFiles(t, root) {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, name := range names {
			if strings.Contains(string(b), name) {
				t.Errorf("%s mentions %s, which is not in the repository: point to docs/theory.md instead", f, name)
			}
		}
	}
}

// slug returns GitHub's anchor for a heading: lower case, every character
// but letters, marks, digits, connector punctuation ('_'), '-' and ' '
// dropped, spaces turned into '-'.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Loss alignment", "loss-alignment"},
		{"The paper's claims", "the-papers-claims"},
		{"Curvature: G and H", "curvature-g-and-h"},
		{"Set-up: two commands", "set-up-two-commands"},
		{"Gauss–Newton (G)", "gaussnewton-g"},
		{"μ and g_k", "μ-and-g_k"},
		{"`noisegeom align`", "noisegeom-align"},
	} {
		assert.Equal(t, c.want, slug(c.in), c.in)
	}
}

// markdownLines returns the lines of a Markdown file, those of fenced code
// blocks (fences included) replaced by empty lines so that indices stay
// line numbers.
func markdownLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var lines []string
	fence := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		if fence == "" && (strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~")) {
			fence = trim[:3]
			lines = append(lines, "")
			continue
		}
		if fence != "" {
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
			lines = append(lines, "")
			continue
		}
		lines = append(lines, line)
	}
	require.NoError(t, sc.Err())
	return lines
}

var headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// anchors returns the anchors of the headings of a Markdown file,
// numbering repeated ones as GitHub does (x, x-1, x-2, …).
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range markdownLines(t, path) {
		m := headingRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := slug(m[1])
		if k := seen[s]; k > 0 {
			out[s+"-"+itoa(k)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

func itoa(k int) string {
	if k < 10 {
		return string(rune('0' + k))
	}
	return itoa(k/10) + itoa(k%10)
}

var (
	linkRE       = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	inlineCodeRE = regexp.MustCompile("`[^`]*`")
)

// TestMarkdownLinks: every relative link in README.md and docs/*.md names
// an existing file, and every #anchor a heading of its target.
func TestMarkdownLinks(t *testing.T) {
	root := repoRoot(t)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	files := append([]string{filepath.Join(root, "README.md")}, docs...)
	require.Contains(t, files, filepath.Join(root, "docs", "theory.md"))
	cache := map[string]map[string]bool{}
	links := 0
	for _, md := range files {
		rel, _ := filepath.Rel(root, md)
		for n, line := range markdownLines(t, md) {
			line = inlineCodeRE.ReplaceAllString(line, "")
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				file, anchor, _ := strings.Cut(target, "#")
				path := md
				if file != "" {
					path = filepath.Join(filepath.Dir(md), filepath.FromSlash(file))
				}
				where := rel + ":" + itoa(n+1) + ": link " + target
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: no such file", where)
					continue
				}
				if anchor == "" {
					continue
				}
				if !strings.HasSuffix(path, ".md") {
					t.Errorf("%s: anchor into a file that is not Markdown", where)
					continue
				}
				if cache[path] == nil {
					cache[path] = anchors(t, path)
				}
				if !cache[path][anchor] {
					t.Errorf("%s: no heading with anchor #%s", where, anchor)
				}
			}
		}
	}
	assert.Positive(t, links, "no relative links found: is the link pattern broken?")
}

var theoryRefRE = regexp.MustCompile(`docs/theory\.md#([\p{L}\p{M}\p{N}_-]+)`)

// TestTheoryAnchors: every reference docs/theory.md#<anchor> in any file of
// the repository (code comments, help texts, report text) names a heading
// of docs/theory.md.
func TestTheoryAnchors(t *testing.T) {
	root := repoRoot(t)
	have := anchors(t, filepath.Join(root, "docs", "theory.md"))
	refs := 0
	for _, f := range repoFiles(t, root) {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, m := range theoryRefRE.FindAllStringSubmatch(string(b), -1) {
			refs++
			if !have[m[1]] {
				t.Errorf("%s refers to docs/theory.md#%s, which is not a heading of docs/theory.md", f, m[1])
			}
		}
	}
	assert.Positive(t, refs, "no docs/theory.md#<anchor> reference found")
}

// goPackages are the repository's packages that docs/theory.md may name.
var goPackages = []string{"linalg", "data", "models", "analysis", "optim", "escape", "experiments", "report", "verify", "bench"}

// pkgDecls holds a package's top-level identifiers and, per type, its
// methods, struct fields and interface methods (embedded types resolved
// through embeds).
type pkgDecls struct {
	top     map[string]bool
	members map[string]map[string]bool
	embeds  map[string][]string
}

func (p *pkgDecls) add(typ, member string) {
	if p.members[typ] == nil {
		p.members[typ] = map[string]bool{}
	}
	p.members[typ][member] = true
}

func (p *pkgDecls) hasMember(typ, member string, depth int) bool {
	if p.members[typ][member] {
		return true
	}
	if depth > 5 {
		return false
	}
	for _, e := range p.embeds[typ] {
		if p.hasMember(e, member, depth+1) {
			return true
		}
	}
	return false
}

// parsePackage collects the declarations of the non-test files of dir.
func parsePackage(t *testing.T, dir string) *pkgDecls {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	require.NoError(t, err)
	p := &pkgDecls{top: map[string]bool{}, members: map[string]map[string]bool{}, embeds: map[string][]string{}}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil {
						p.top[d.Name.Name] = true
					} else {
						p.add(recvType(d.Recv.List[0].Type), d.Name.Name)
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							p.top[s.Name.Name] = true
							p.typeMembers(s.Name.Name, s.Type)
						case *ast.ValueSpec:
							for _, n := range s.Names {
								p.top[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return p
}

func (p *pkgDecls) typeMembers(name string, typ ast.Expr) {
	var fields *ast.FieldList
	switch t := typ.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		return
	}
	for _, f := range fields.List {
		if len(f.Names) == 0 {
			p.embeds[name] = append(p.embeds[name], recvType(f.Type))
			continue
		}
		for _, n := range f.Names {
			p.add(name, n.Name)
		}
	}
}

// recvType returns the type name of a receiver or embedded field (T, *T,
// T[P]).
func recvType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvType(e.X)
	case *ast.IndexExpr:
		return recvType(e.X)
	case *ast.IndexListExpr:
		return recvType(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// TestTheoryIdentifiers: every pkg.Name and pkg.Type.Member that
// docs/theory.md names exists in the package's source.
func TestTheoryIdentifiers(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "docs", "theory.md"))
	require.NoError(t, err)
	re := regexp.MustCompile(`\b(` + strings.Join(goPackages, "|") + `)\.([A-Z]\w*)(?:\.([A-Za-z]\w*))?`)
	decls := map[string]*pkgDecls{}
	checked := 0
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		pkg, name, member := m[1], m[2], m[3]
		if decls[pkg] == nil {
			decls[pkg] = parsePackage(t, filepath.Join(root, pkg))
		}
		d := decls[pkg]
		checked++
		if !d.top[name] {
			t.Errorf("docs/theory.md names %s.%s: no such declaration in package %s", pkg, name, pkg)
			continue
		}
		if member != "" && !d.hasMember(name, member, 0) {
			t.Errorf("docs/theory.md names %s.%s.%s: %s has no method or field %s", pkg, name, member, name, member)
		}
	}
	assert.Greater(t, checked, 20, "too few identifiers found in docs/theory.md: is the pattern broken?")
}
