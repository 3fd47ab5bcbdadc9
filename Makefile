# coordlab — the two commands a newcomer needs are `make run` and `make test`.

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
ADDR     ?= 127.0.0.1:8080
BENCHTIME ?= 1s

.PHONY: all build native wasm run test test-native test-wasm test-scenarios test-browser vet bench bench-wasm fuzz clean

all: build

## build: the native CLI (bin/coordlab) and the browser app (web/app.wasm)
build: native wasm

native:
	$(GO) build -o bin/coordlab ./cmd/coordlab

## wasm: the browser app, and web/app.wasm.br beside it when brotli is installed
## (serve sends it to browsers that accept br; gzip otherwise). app.wasm is
## replaced only when it changed, so brotli (slow at -q 11) runs only then.
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o web/app.wasm.new ./cmd/coordlab
	@if cmp -s web/app.wasm.new web/app.wasm; then rm web/app.wasm.new; else mv web/app.wasm.new web/app.wasm; fi
	@$(MAKE) --no-print-directory web/app.wasm.br

web/app.wasm.br: web/app.wasm
	@if command -v brotli >/dev/null 2>&1; then echo "brotli -q 11 web/app.wasm"; brotli -f -n -q 11 -o $@ web/app.wasm; \
	else rm -f $@; echo "brotli not installed: app.wasm is served gzip-compressed"; fi

## run: build and serve the lab with the built-in course on $(ADDR)
run: build
	./bin/coordlab serve --addr $(ADDR)

## test: everything — vet, unit and property tests, every scenario and lesson,
## the simulation under WebAssembly, and the browser tests in Chromium
test: vet test-native test-scenarios test-wasm test-browser

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## test-native: every package's unit, property and fuzz-seed tests (the browser
## tests run in test-browser, against the app.wasm that `build` wrote)
test-native:
	$(GO) test -skip Browser ./...

## test-scenarios: every scenario file and every ```scenario block of the built-in course, through the CLI
test-scenarios: native
	./bin/coordlab lint lessons sim
	./bin/coordlab test lessons sim

## test-wasm: the simulation's tests compiled to WebAssembly and run in Node (the
## golden trace hashes must be the same as natively), and app/store's tests
## against the real IndexedDB of headless Chromium (wasmbrowsertest)
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -exec "$(WASMEXEC)" ./sim/...
	$(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec "$$($(GO) env GOPATH)/bin/wasmbrowsertest" ./app/store/

## test-browser: the real app.wasm in headless Chromium, driven by chromedp
test-browser: build
	COORDLAB_WASM=$(CURDIR)/web/app.wasm $(GO) test -count=1 -run Browser ./app/...

## bench: performance figures (kernel throughput, mechanism runs, linearizability)
bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem ./sim/...

## bench-wasm: the same benchmarks under WebAssembly in Node
bench-wasm:
	GOOS=js GOARCH=wasm $(GO) test -exec "$(WASMEXEC)" -run '^$$' -bench . -benchtime $(BENCHTIME) ./sim/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 0 ./sim/scenario/

clean:
	rm -rf bin web/app.wasm web/app.wasm.new web/app.wasm.br build
