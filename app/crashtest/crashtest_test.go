package main

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
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
		materializeWindow: 600 * time.Millisecond, stations: 200, lead: 25 * time.Second, seed: uint64(time.Now().UnixNano())}, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecondProcessRefused: a second Loa process pointed at the first one's
// database (its embedded FerretDB, through the socket in its data directory)
// refuses to start and names the first; the first keeps answering and writing.
func TestSecondProcessRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; run without -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin, err := build("../..", dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := prepare(ctx, bin, filepath.Join(dir, "first"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.s.stop()
	uri := "mongodb://" + url.PathEscape(filepath.Join(dir, "first", "ferretdb.sock")) + "/"
	second, err := newServer(bin, filepath.Join(dir, "second"), "--mongodb-uri", uri)
	if err != nil {
		t.Fatal(err)
	}
	out, err := second.command() // serving: it must stop at the start-up
	if err == nil || !strings.Contains(out, "another Loa process") || !strings.Contains(out, "FerretDB") {
		t.Fatalf("the second process: %v\n%s", err, out)
	}
	if err := e.campaign(ctx, "AFTER"); err != nil {
		t.Errorf("the first process after the refusal: %v", err)
	}
}
