package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// download offers data to the student as a file, through a Blob URL.
func download(name, mime string, data []byte) {
	if !app.IsClient {
		return
	}
	arr := app.Window().Get("Uint8Array").New(len(data))
	app.CopyBytesToJS(arr, data)
	blob := app.Window().Get("Blob").New([]any{arr}, map[string]any{"type": mime})
	url := app.Window().Get("URL").Call("createObjectURL", blob)
	a := app.Window().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Call("click")
	app.Window().Get("URL").Call("revokeObjectURL", url)
}

// readFile reads a File chosen in an <input type=file> as text.
func readFile(file app.Value, then func(string)) {
	var done app.Func
	done = app.FuncOf(func(this app.Value, args []app.Value) any {
		then(args[0].String())
		done.Release()
		return nil
	})
	file.Call("text").Call("then", done)
}

// mark records a User Timing mark ("coordlab:ready", "coordlab:lesson"):
// the end-to-end performance test reads them to tell where a page load's
// time went.
func mark(name string) {
	if app.IsClient {
		app.Window().Get("performance").Call("mark", name)
	}
}
