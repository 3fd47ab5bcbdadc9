package app

import (
	"context"
	"errors"
	"strconv"
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

// saveName returns the name to save sc under so that no saved scenario is
// replaced: its own name when free, else the first free name-2, name-3, …
// already reports that the same YAML is saved under one of those names.
func saveName(saved []store.SavedScenario, sc store.SavedScenario) (name string, already bool) {
	yamlOf := make(map[string]string, len(saved))
	for _, s := range saved {
		yamlOf[s.Name] = s.YAML
	}
	for i := 1; ; i++ {
		name = sc.Name
		if i > 1 {
			name += "-" + strconv.Itoa(i)
		}
		y, taken := yamlOf[name]
		switch {
		case !taken:
			return name, false
		case y == sc.YAML:
			return name, true
		}
	}
}

// freePath returns base ("en/my-lesson") if no authored lesson has that
// path, else the first free base-2, base-3, …
func freePath(authored []store.AuthoredLesson, base string) string {
	taken := make(map[string]bool, len(authored))
	for _, l := range authored {
		taken[l.Path] = true
	}
	p := base
	for i := 2; taken[p]; i++ {
		p = base + "-" + strconv.Itoa(i)
	}
	return p
}
