//go:build !(js && wasm)

// Package server is the native half of the browser lab: `coordlab serve`
// serves it over HTTP and `coordlab build` writes it out as a static site.
// It is behind a !(js && wasm) build tag so that none of it reaches
// app.wasm.
//
// A site is go-app's handler (pages pre-rendered from coordlab/app's
// routes, app.js, the service worker, the manifest) plus the files under
// /web/: the embedded style sheet and icons, app.wasm read from disk, and
// the course — the lesson index (index.json, a lessons.Course) and every
// lesson's markdown, from --lessons DIR or the built-in course. The browser
// fetches and parses the course itself, so any course works with the same
// app.wasm (DESIGN section 6).
//
// app.wasm is compressed once at startup: gzip always (compress/gzip), and
// brotli when a precompressed app.wasm.br lies beside it (`make build`
// writes one with the brotli tool when it is installed; the standard
// library has no brotli encoder and the project adds no dependency for it).
//
// Unsafe on purpose: nothing; serve binds to loopback unless told otherwise.
package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	coordapp "coordlab/app"
	"coordlab/lessons"
	"coordlab/web"
)

// Options configure Serve and Build.
type Options struct {
	// Addr is where Serve listens; default 127.0.0.1:8080 (loopback only).
	Addr string
	// LessonsDir is a course folder (one sub-folder per language); empty
	// means the built-in course.
	LessonsDir string
	// Wasm is the path of app.wasm; default web/app.wasm.
	Wasm string
	// Out is the folder Build writes the static site to.
	Out string
}

// DefaultAddr is where Serve listens by default.
const DefaultAddr = "127.0.0.1:8080"

// file is one file served under /web/.
type file struct {
	body []byte
	gz   []byte // gzip of body, when smaller
	br   []byte // brotli of body, when precompressed
	mime string
}

// site is everything a lab serves besides go-app's own files.
type site struct {
	files   map[string]*file // by path, "/web/app.wasm"
	course  *lessons.Course
	pages   []string // every page path, for Build and the service worker
	version string
	wasmLen int
	warn    error // course problems worth printing
}

var routesOnce sync.Once

func registerRoutes() { routesOnce.Do(coordapp.Routes) }

// newSite reads app.wasm, the assets and the course.
func newSite(opts Options) (*site, error) {
	registerRoutes()
	s := &site{files: map[string]*file{}}
	wasmPath := findWasm(opts.Wasm)
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return nil, fmt.Errorf("reading the browser app: %v (build it with `make build`, which runs GOOS=js GOARCH=wasm go build -o web/app.wasm ./cmd/coordlab)", err)
	}
	s.wasmLen = len(wasm)
	s.add("/web/app.wasm", wasm)
	if br, err := os.ReadFile(wasmPath + ".br"); err == nil && newer(wasmPath+".br", wasmPath) {
		s.files["/web/app.wasm"].br = br
	}
	err = fs.WalkDir(web.Assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Assets, p)
		s.add("/web/"+p, b)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.addCourse(opts.LessonsDir); err != nil {
		return nil, err
	}
	s.pages = []string{"/", "/play", "/cap", "/editor", "/mechanisms"}
	for _, l := range s.course.Languages {
		for _, e := range l.Lessons {
			s.pages = append(s.pages, "/lesson/"+e.Lang+"/"+e.Slug)
		}
	}
	s.version = s.hash()
	return s, nil
}

// findWasm returns the app.wasm to serve: the one asked for, else
// web/app.wasm under the working folder, else beside the binary's folder
// (bin/coordlab finds ../web/app.wasm), as `make build` lays them out.
func findWasm(asked string) string {
	if asked != "" {
		return asked
	}
	const rel = "web/app.wasm"
	if _, err := os.Stat(rel); err == nil {
		return rel
	}
	if exe, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), "..", rel); fileExists(p) {
			return p
		}
	}
	return rel
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func newer(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && !sa.ModTime().Before(sb.ModTime())
}

// addCourse adds the lesson index and every lesson's markdown.
func (s *site) addCourse(dir string) error {
	fsys := lessons.Builtin()
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() {
			return fmt.Errorf("--lessons %s: expected a folder holding one sub-folder per language (en/, zh/)", dir)
		}
		fsys = os.DirFS(dir)
	}
	course, err := lessons.LoadCourse(fsys)
	var probs lessons.ProblemList
	switch {
	case errors.As(err, &probs):
		// Broken front matter: the lessons still show.
	case err != nil:
		return fmt.Errorf("--lessons %s: %v", dir, err)
	}
	s.course = course
	index, err := json.Marshal(course)
	if err != nil {
		return err
	}
	s.add(coordapp.CoursePath+"/index.json", index)
	for _, l := range course.Languages {
		for _, e := range l.Lessons {
			b, err := fs.ReadFile(fsys, e.Path)
			if err != nil {
				return fmt.Errorf("reading lesson %s: %v", e.Path, err)
			}
			s.add(coordapp.CoursePath+"/"+e.Lang+"/"+e.Slug+".md", b)
			if dir != "" {
				// A teacher's course: say what the lessons will show
				// as error boxes (the built-in one is linted by tests).
				// Front matter problems are listed already.
				lesson, _ := lessons.Parse(e.Path, b)
				for _, p := range lesson.Problems {
					if !slices.Contains(probs, p) {
						probs = append(probs, p)
					}
				}
			}
		}
	}
	s.warn = probs.Err()
	return nil
}

func (s *site) add(p string, body []byte) {
	f := &file{body: body, mime: mimeType(p)}
	if len(body) > 1024 {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(body)
		w.Close()
		if b.Len() < len(body)*9/10 {
			f.gz = b.Bytes()
		}
	}
	s.files[p] = f
}

// hash is the site's version: it changes when any served byte does, so the
// service worker refreshes its cache exactly then.
func (s *site) hash() string {
	paths := make([]string, 0, len(s.files))
	for p := range s.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s %d\n", p, len(s.files[p].body))
		h.Write(s.files[p].body)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func mimeType(p string) string {
	switch path.Ext(p) {
	case ".wasm":
		return "application/wasm"
	case ".json":
		return "application/json"
	case ".md":
		return "text/markdown; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// handler returns go-app's handler for the site.
func (s *site) handler(extraHead ...string) *goapp.Handler {
	var cache []string
	for p := range s.files {
		if strings.HasPrefix(p, coordapp.CoursePath+"/") {
			cache = append(cache, p)
		}
	}
	sort.Strings(cache)
	cache = append(cache, s.pages[1:]...) // "/" is cached by go-app already
	return &goapp.Handler{
		Name:               "coordlab",
		ShortName:          "coordlab",
		Title:              "coordlab — a lab for distributed coordination",
		Description:        "An interactive teaching lab for distributed consistency and coordination: deterministic simulations beside the lessons that explain them.",
		Lang:               "en",
		Icon:               goapp.Icon{Default: "/web/icon-192.png", Large: "/web/icon-512.png", SVG: "/web/icon.svg", Maskable: "/web/icon-512.png"},
		BackgroundColor:    "#fbfbf8",
		ThemeColor:         "#1d3557",
		LoadingLabel:       "Loading coordlab… {progress}%",
		Styles:             []string{"/web/coordlab.css"},
		Resources:          resources{s},
		Version:            s.version,
		WasmContentLength:  fmt.Sprint(s.wasmLen),
		CacheableResources: cache,
		RawHeaders:         extraHead,
	}
}
