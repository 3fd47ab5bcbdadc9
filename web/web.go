// Package web holds the lab's static assets (style sheet, icons), embedded
// so that `coordlab serve` and `coordlab build` need no files beside the
// binary. web/app.wasm, built by `make build`, is not embedded: it is the
// browser half of the same program, read from disk by the server.
package web

import "embed"

// Assets are the static files served under /web/.
//
//go:embed coordlab.css icon.svg icon-192.png icon-512.png
var Assets embed.FS
