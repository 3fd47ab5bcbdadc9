//go:build !(js && wasm)

package app

import "coordlab/app/store"

// openStore serves native runs (server-side rendering, tests) from memory.
func openStore() (*store.Store, error) { return store.NewMemory(), nil }
