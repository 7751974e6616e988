package reach

import (
	"testing"

	"loa/campaigns"
)

// TestColumnLimitFitsTheTemplate: the core's import limits refuse a column limit
// narrower than the reach template, and accept one exactly as wide.
func TestColumnLimitFitsTheTemplate(t *testing.T) {
	lim := campaigns.DefaultImportLimits()
	lim.Columns = len(reachColumns)
	if err := lim.Check(); err != nil {
		t.Errorf("a column limit of the template's %d columns: %v", len(reachColumns), err)
	}
	lim.Columns = len(reachColumns) - 1
	if err := lim.Check(); err == nil {
		t.Errorf("a column limit of %d accepted; the template has %d columns", lim.Columns, len(reachColumns))
	}
}
