package database

import "sync"

// Locker serialises read-modify-write updates of one document. Lock blocks until the
// key is free and returns the function that frees it. Keys name a document, e.g.
// "meta|orgunits".
type Locker interface {
	Lock(key string) (unlock func())
}

// KeyedMutex is a Locker for one process: a mutex per key, kept only while in use.
// The embedded engine loses concurrent updates of one document (docs/ferretdb.md,
// defect 2), so every store serialises its updates through it in embedded mode.
type KeyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	waiters int
}

// NewKeyedMutex returns an empty KeyedMutex.
func NewKeyedMutex() *KeyedMutex {
	return &KeyedMutex{locks: make(map[string]*keyLock)}
}

// Lock takes the lock of key.
func (k *KeyedMutex) Lock(key string) func() {
	k.mu.Lock()
	l, ok := k.locks[key]
	if !ok {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.waiters++
	k.mu.Unlock()

	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		l.waiters--
		if l.waiters == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// noLocks is the Locker for a real MongoDB, whose updates of one document are atomic.
type noLocks struct{}

func (noLocks) Lock(string) func() { return func() {} }
