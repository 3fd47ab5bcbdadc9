//go:build js && wasm

package app

import (
	"context"

	"coordlab/app/store"
)

func openStore() (*store.Store, error) { return store.OpenIndexedDB(context.Background()) }
