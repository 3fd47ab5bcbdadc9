//go:build !(js && wasm)

package server

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Build writes the lab as a static site to opts.Out: every page
// pre-rendered (PAGE.html and PAGE/index.html, so deep links work whether a
// host maps /a/b to a/b.html or to a/b/index.html), go-app's scripts and
// service worker, and web/ with app.wasm, the assets and the course. A
// static host cannot send headers, so the Content-Security-Policy goes into
// each page as a meta tag (frame-ancestors aside, which only a header can
// carry).
func Build(opts Options, out io.Writer) error {
	if opts.Out == "" {
		return fmt.Errorf("build: --out DIR is required")
	}
	s, err := newSite(opts)
	if err != nil {
		return err
	}
	if s.warn != nil {
		fmt.Fprintf(out, "coordlab: the course has problems (the lessons still show):\n%v\n", s.warn)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("build: %v", err)
	}
	csp := strings.Replace(ContentSecurityPolicy, "; frame-ancestors 'none'", "", 1)
	h := s.handler(`<meta http-equiv="Content-Security-Policy" content="` + csp + `">`)
	if err := goapp.GenerateStaticWebsite(opts.Out, h, s.pages...); err != nil {
		return fmt.Errorf("build: %v", err)
	}
	appJS := filepath.Join(opts.Out, "app.js")
	js, err := os.ReadFile(appJS)
	if err != nil {
		return fmt.Errorf("build: %v", err)
	}
	if js, err = deferServiceWorker(js); err != nil {
		return fmt.Errorf("build: %v", err)
	}
	if err := writeFile(appJS, js); err != nil {
		return err
	}
	for _, p := range s.pages {
		if p == "/" {
			continue
		}
		// PAGE/index.html beside PAGE.html.
		b, err := os.ReadFile(filepath.Join(opts.Out, filepath.FromSlash(p)+".html"))
		if err != nil {
			return fmt.Errorf("build: %v", err)
		}
		if err := writeFile(filepath.Join(opts.Out, filepath.FromSlash(p), "index.html"), b); err != nil {
			return err
		}
	}
	for p, f := range s.files {
		if err := writeFile(filepath.Join(opts.Out, filepath.FromSlash(strings.TrimPrefix(p, "/"))), f.body); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("build: %v", err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return fmt.Errorf("build: %v", err)
	}
	return nil
}
