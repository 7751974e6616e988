package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// commands are the maintenance commands loa runs instead of serving.
var commands = append([]string{"rollups"}, fileCommands...)

// errDiffers is the exit of "rollups check" when rollups and records disagree.
var errDiffers = errors.New("rollups differ from the records")

// runCommand runs a maintenance command on the prepared app and writes its result
// to out: "rollups rebuild [campaign]" or "rollups check [campaign]".
func (a *app) runCommand(ctx context.Context, args []string, out io.Writer) error {
	if len(args) < 2 || len(args) > 3 || (args[1] != "rebuild" && args[1] != "check") {
		return fmt.Errorf("usage: loa rollups rebuild|check [campaign]")
	}
	codes, err := a.campaignCodes(ctx, args[2:])
	if err != nil {
		return err
	}
	differ := false
	for _, code := range codes {
		if args[1] == "rebuild" {
			if err := a.reach.RebuildRollups(ctx, code); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: rollups rebuilt from the records\n", code)
			continue
		}
		diffs, err := a.reach.CheckRollups(ctx, code)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d cell(s) differ\n", code, len(diffs))
		for _, d := range diffs {
			fmt.Fprintln(out, "  "+d.String())
		}
		differ = differ || len(diffs) > 0
	}
	if differ {
		return errDiffers
	}
	return nil
}

// campaignCodes is the campaign named, or every campaign.
func (a *app) campaignCodes(ctx context.Context, named []string) ([]string, error) {
	if len(named) == 1 {
		if _, err := a.campaigns.Campaign(ctx, named[0]); err != nil {
			return nil, err
		}
		return named, nil
	}
	all, err := a.campaigns.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(all))
	for i, c := range all {
		codes[i] = c.Code
	}
	return codes, nil
}
