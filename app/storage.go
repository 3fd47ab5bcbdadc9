package app

import (
	"context"
	"errors"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/app/store"
)

// stateStoreError is the go-app state holding the last storage failure, as
// a sentence; the shell shows it until dismissed.
const stateStoreError = "store-error"

var (
	storeOnce sync.Once
	labDB     *store.Store
	labDBErr  error
)

// labStore opens the lab's store once: IndexedDB in the browser (see
// store_wasm.go), memory elsewhere. When IndexedDB cannot be had, the lab
// goes on in memory and the error says so.
func labStore() (*store.Store, error) {
	storeOnce.Do(func() {
		labDB, labDBErr = openStore()
		if labDB == nil {
			labDB = store.NewMemory()
		}
	})
	return labDB, labDBErr
}

// withStore runs do against the store off the UI goroutine, then (on
// success) then on the UI goroutine. A failure is shown to the student.
func withStore(ctx app.Context, do func(context.Context, *store.Store) error, then func(app.Context)) {
	ctx.Async(func() {
		s, openErr := labStore()
		err := do(context.Background(), s)
		ctx.Dispatch(func(ctx app.Context) {
			if openErr != nil {
				reportStoreError(ctx, openErr)
			}
			if err != nil {
				reportStoreError(ctx, err)
				return
			}
			if then != nil {
				then(ctx)
			}
		})
	})
}

func reportStoreError(ctx app.Context, err error) {
	msg := err.Error()
	var se *store.Error
	if errors.As(err, &se) {
		msg = se.Message()
	}
	ctx.SetState(stateStoreError, msg)
}
