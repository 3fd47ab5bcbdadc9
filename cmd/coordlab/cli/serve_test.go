//go:build !(js && wasm)

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeWasm writes a stand-in app.wasm: build and serve only copy its bytes.
func fakeWasm(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "app.wasm")
	if err := os.WriteFile(p, []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildWritesAStaticSite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	code, stdout, stderr := run(t, "build", "--out", out, "--wasm", fakeWasm(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, out) {
		t.Errorf("build does not say where it wrote: %q", stdout)
	}
	for _, f := range []string{"index.html", "play.html", "play/index.html", "cap.html", "web/app.wasm", "web/coordlab.css", "app.js", "manifest.webmanifest"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the site lacks %s: %v", f, err)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "play.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Content-Security-Policy") {
		t.Errorf("play.html carries no Content-Security-Policy meta tag")
	}
	lessons, _ := filepath.Glob(filepath.Join(out, "lesson", "en", "*.html"))
	if len(lessons) == 0 {
		t.Errorf("no English lesson pages under %s/lesson/en", out)
	}
}

func TestBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"build"}, "--out DIR is required"},
		{"missing wasm", []string{"build", "--out", t.TempDir(), "--wasm", filepath.Join(t.TempDir(), "nope.wasm")}, "make build"},
		{"missing lessons", []string{"build", "--out", t.TempDir(), "--wasm", fakeWasm(t), "--lessons", filepath.Join(t.TempDir(), "nope")}, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func TestServeRefusesABadAddress(t *testing.T) {
	code, _, stderr := run(t, "serve", "--addr", "256.0.0.1:99999", "--wasm", fakeWasm(t))
	if code != exitUsage || !strings.Contains(stderr, "256.0.0.1:99999") {
		t.Fatalf("exit %d, stderr %q; want 2 naming the address", code, stderr)
	}
}

func TestRunLinearizabilityHTML(t *testing.T) {
	out := filepath.Join(t.TempDir(), "lin.html")
	code, _, stderr := run(t, "run", "../../../sim/mech/raft/scenarios/raft-stale-read-local.scenario.yaml", "--linearizability-html", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// porcupine's page embeds the history as JSON; the stale read's key and
	// the fault annotations must be in it.
	for _, want := range []string{"<html", "get ", "partition"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the visualization lacks %q", want)
		}
	}
}

func TestRunLinearizabilityHTMLWithoutClients(t *testing.T) {
	out := filepath.Join(t.TempDir(), "lin.html")
	code, _, stderr := run(t, "run", "testdata/good.scenario.yaml", "--linearizability-html", out)
	if code != exitUsage || !strings.Contains(stderr, "no key-value client operations") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("wrote %s for a history without key-value operations", out)
	}
}
