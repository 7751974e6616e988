// Command crashtest kills Loa with SIGKILL at random moments of its heaviest
// writes and checks, after each restart, that nothing acknowledged was lost,
// nothing is duplicated, the rollups agree with the records ("loa rollups
// check") and a repeated import or materialisation converges (issue 18,
// RELIABILITY.md):
//
//	go run ./app/crashtest -rows 100000 -kills 10
//
// Each round starts a fresh data directory (without the demo): a campaign, an
// account that imports, and for the materialisation a station per district and
// per commune with two rules for the year ahead. "go test ./app/crashtest" runs a
// short form: one kill of each kind on a small file.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"loa/campaigns/reach/reachgen"
)

// config is a run of the harness.
type config struct {
	root        string // the module's root, where ./app is built from
	rows, kills int
	// importWindow and materializeWindow bound the random moment of each kill,
	// counted from the start of the work.
	importWindow, materializeWindow time.Duration
	// stations confirm at once, their airings starting lead after they are placed.
	stations int
	lead     time.Duration
	seed     uint64
	keep     bool // keep the data directories
}

func main() {
	var c config
	flag.StringVar(&c.root, "root", ".", "the module's root")
	flag.IntVar(&c.rows, "rows", 100_000, "reach rows imported in each round (in 36 files)")
	flag.IntVar(&c.kills, "kills", 10, "rounds of each kind, one kill each")
	flag.DurationVar(&c.importWindow, "import-window", 12*time.Second, "kill at a random moment this long into the imports")
	flag.DurationVar(&c.materializeWindow, "materialize-window", 4*time.Second, "kill at a random moment this long into materialising")
	flag.IntVar(&c.stations, "stations", 200, "loudspeakers confirming at once in each confirmation round")
	flag.DurationVar(&c.lead, "lead", 30*time.Second, "how far ahead the airings to confirm are placed (their placement must be done by then)")
	flag.Uint64Var(&c.seed, "seed", uint64(time.Now().UnixNano()), "seed of the kill moments")
	flag.BoolVar(&c.keep, "keep", false, "keep the data directories and logs")
	flag.Parse()
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		os.Exit(1)
	}
}

// run builds the binary and runs the rounds, reporting each on out.
func run(ctx context.Context, c config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "loa-crashtest-")
	if err != nil {
		return err
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	}
	bin, err := build(c.root, dir)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(c.seed, 0))
	fmt.Fprintf(out, "seed %d, %d rows per import round, data in %s\n", c.seed, c.rows, dir)
	var files [][]byte
	for k := range c.kills {
		e, err := prepare(ctx, bin, filepath.Join(dir, fmt.Sprintf("import-%d", k)))
		if err != nil {
			return err
		}
		if files == nil {
			files = reachgen.Year(e.units, c.rows)
		}
		res, err := e.killDuringImport(ctx, files, c.rows, c.importWindow, rnd)
		e.s.stop()
		if err != nil {
			return fmt.Errorf("import round %d (killed after %v, %d files acknowledged): %w", k+1, res.KilledAfter.Round(time.Millisecond), res.Acknowledged, err)
		}
		fmt.Fprintf(out, "import %2d: killed after %6v%s, %2d of %d files acknowledged, restart %v, rollups clean, %d records after the re-import\n",
			k+1, res.KilledAfter.Round(time.Millisecond), finished(res.Finished), res.Acknowledged, len(files), res.Restart.Round(time.Millisecond), res.Records)
	}
	for k := range c.kills {
		e, err := prepare(ctx, bin, filepath.Join(dir, fmt.Sprintf("materialize-%d", k)), "--horizon=366")
		if err != nil {
			return err
		}
		if err := e.rules(ctx); err != nil {
			return err
		}
		res, err := e.killDuringMaterialize(ctx, c.materializeWindow, rnd)
		e.s.stop()
		if err != nil {
			return fmt.Errorf("materialize round %d (killed after %v): %w", k+1, res.KilledAfter.Round(time.Millisecond), err)
		}
		fmt.Fprintf(out, "materialize %2d: killed after %6v%s, restart %v, %d airings, a further run changes nothing\n",
			k+1, res.KilledAfter.Round(time.Millisecond), finished(res.Finished), res.Restart.Round(time.Millisecond), res.Airings)
	}
	for k := range c.kills {
		e, err := prepare(ctx, bin, filepath.Join(dir, fmt.Sprintf("confirm-%d", k)))
		if err != nil {
			return err
		}
		stations, err := e.burst(ctx, c.stations, c.lead)
		if err != nil {
			return err
		}
		res, err := e.killDuringConfirmations(ctx, stations, rnd)
		e.s.stop()
		if err != nil {
			return fmt.Errorf("confirmations round %d (%d of %d acknowledged): %w", k+1, res.Acknowledged, res.Sent, err)
		}
		fmt.Fprintf(out, "confirmations %2d: %d batches at once, killed after %d answers, restart %v, %d aired with %d reach records after sending them again\n",
			k+1, res.Sent, res.Acknowledged, res.Restart.Round(time.Millisecond), res.Aired, res.Records)
	}
	return nil
}

// finished marks a round whose work was done before the kill came.
func finished(done bool) string {
	if done {
		return " (work already done)"
	}
	return ""
}
