package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestKilledWritesRecover is the short form of the harness: one kill during the
// imports of 3,600 reach rows, one while materialising a year of airings and one
// during 200 stations' confirmations at once, each followed by the checks of
// killDuringImport, killDuringMaterialize and killDuringConfirmations. It builds
// and runs the real binary, so it takes about two minutes.
func TestKilledWritesRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary; run without -short")
	}
	var out bytes.Buffer
	err := run(context.Background(), config{root: "../..", rows: 3600, kills: 1, importWindow: 1500 * time.Millisecond,
		materializeWindow: 2 * time.Second, stations: 200, lead: 25 * time.Second, seed: uint64(time.Now().UnixNano())}, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
}
