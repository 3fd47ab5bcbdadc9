//go:build !(js && wasm)

package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// ContentSecurityPolicy is sent with every response. go-app needs
// 'wasm-unsafe-eval' to compile app.wasm and sets style attributes from Go;
// nothing else is loosened: no inline or foreign scripts, no plugins, no
// framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
	"worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// Handler returns the lab as an http.Handler, for Serve and for tests.
func Handler(opts Options) (http.Handler, error) {
	s, err := newSite(opts)
	if err != nil {
		return nil, err
	}
	h, err := s.serveHandler()
	if err != nil {
		return nil, err
	}
	return secure(h), nil
}

// secure adds the security headers to every response.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// Serve serves the lab until ctx ends, printing its URL to out.
func Serve(ctx context.Context, opts Options, out io.Writer) error {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	s, err := newSite(opts)
	if err != nil {
		return err
	}
	if s.warn != nil {
		fmt.Fprintf(out, "coordlab: the course has problems (the lessons still show):\n%v\n", s.warn)
	}
	h, err := s.serveHandler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("serve: listening on %s: %v", opts.Addr, err)
	}
	srv := &http.Server{Handler: secure(h), ReadHeaderTimeout: 10 * time.Second}
	course := "the built-in course"
	if opts.LessonsDir != "" {
		course = opts.LessonsDir
	}
	fmt.Fprintf(out, "coordlab: serving %s at %s\n", course, urlOf(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}
}

func urlOf(a net.Addr) string {
	host := a.String()
	if strings.HasPrefix(host, "[::]:") || strings.HasPrefix(host, "0.0.0.0:") {
		host = "localhost" + host[strings.LastIndex(host, ":"):]
	}
	return "http://" + host + "/"
}

// resources serves the site's /web/ files for go-app's handler, and tells
// go-app where they are.
type resources struct{ s *site }

// Resolve maps a resource path to its URL: files live at /web/... on the
// same origin.
func (r resources) Resolve(location string) string {
	if location == "" || location == "/" {
		return "/"
	}
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		return location
	}
	if !strings.HasPrefix(location, "/") {
		location = "/" + location
	}
	return location
}

func (r resources) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	f, ok := r.s.files[req.URL.Path]
	if !ok {
		http.NotFound(w, req)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.mime)
	h.Add("Vary", "Accept-Encoding")
	body := f.body
	accept := req.Header.Get("Accept-Encoding")
	switch {
	case f.br != nil && acceptsEncoding(accept, "br"):
		h.Set("Content-Encoding", "br")
		body = f.br
	case f.gz != nil && acceptsEncoding(accept, "gzip"):
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if req.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) == enc && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
