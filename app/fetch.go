package app

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// fetchURL reads a URL with the browser's fetch. It does not use net/http's
// client, which would link a TLS stack into app.wasm for nothing: the
// browser speaks HTTP already. Call it off the UI goroutine.
func fetchURL(u string) ([]byte, error) {
	return awaitFetch(u, app.Window().Call("fetch", u))
}

// awaitFetch waits for the response to a fetch of u started earlier (a
// JavaScript promise of a Response) and reads its body.
func awaitFetch(u string, response app.Value) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	var onResp, onBody, onErr app.Func
	release := func() { onResp.Release(); onBody.Release(); onErr.Release() }
	onErr = app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{err: fmt.Errorf("fetching %s: %s", u, args[0].Call("toString").String())}
		return nil
	})
	onBody = app.FuncOf(func(this app.Value, args []app.Value) any {
		arr := app.Window().Get("Uint8Array").New(args[0])
		b := make([]byte, arr.Length())
		app.CopyBytesToGo(b, arr)
		done <- result{b: b}
		return nil
	})
	onResp = app.FuncOf(func(this app.Value, args []app.Value) any {
		resp := args[0]
		if !resp.Get("ok").Bool() {
			done <- result{err: fmt.Errorf("fetching %s: %d %s", u, resp.Get("status").Int(), resp.Get("statusText").String())}
			return nil
		}
		resp.Call("arrayBuffer").Call("then", onBody, onErr)
		return nil
	})
	response.Call("then", onResp, onErr)
	r := <-done
	release()
	return r.b, r.err
}
