package report

import (
	"context"
	"fmt"
	"time"

	"loa"
	"loa/app/database"
)

// Schema lists the collections this package owns.
var Schema = []database.Collection{{Name: draftsColl}}

const draftsColl = "report_drafts"

// MongoStore is the DraftStore on MongoDB (or the embedded engine).
type MongoStore struct{ db *database.DB }

// NewStore returns the drafts kept in db.
func NewStore(db *database.DB) *MongoStore { return &MongoStore{db: db} }

// draftDoc is a draft as stored, under its campaign and period.
type draftDoc struct {
	ID           string     `bson:"_id"`
	Campaign     string     `bson:"campaign"`
	Period       string     `bson:"period"`
	Results      string     `bson:"results"`
	Shortcomings string     `bson:"shortcomings"`
	Tasks        string     `bson:"tasks"`
	Proposals    string     `bson:"proposals"`
	Version      int64      `bson:"version"`
	UpdatedBy    string     `bson:"updatedBy,omitempty"`
	UpdatedAt    *time.Time `bson:"updatedAt,omitempty"`
}

func (d draftDoc) draft() Draft {
	return Draft{Campaign: d.Campaign, Period: d.Period, Results: d.Results, Shortcomings: d.Shortcomings,
		Tasks: d.Tasks, Proposals: d.Proposals, Version: d.Version, UpdatedBy: d.UpdatedBy, UpdatedAt: d.UpdatedAt}
}

func draftDocOf(id string) func(Draft) draftDoc {
	return func(d Draft) draftDoc {
		return draftDoc{ID: id, Campaign: d.Campaign, Period: d.Period, Results: d.Results, Shortcomings: d.Shortcomings,
			Tasks: d.Tasks, Proposals: d.Proposals, Version: d.Version, UpdatedBy: d.UpdatedBy, UpdatedAt: d.UpdatedAt}
	}
}

// Draft implements DraftStore.
func (s *MongoStore) Draft(ctx context.Context, id string) (Draft, error) {
	doc, found, err := database.ByID[draftDoc](ctx, s.db.Collection(draftsColl), id)
	if err != nil {
		return Draft{}, fmt.Errorf("read report draft %s: %w", id, err)
	}
	if !found {
		return Draft{}, loa.ErrNotFound
	}
	return doc.draft(), nil
}

// UpdateDraft implements DraftStore.
func (s *MongoStore) UpdateDraft(ctx context.Context, id string, change func(*Draft) error) (Draft, error) {
	d, _, err := database.UpdateAs(ctx, s.db, database.Doc{Coll: draftsColl, ID: id}, draftDoc.draft, draftDocOf(id),
		func(_ context.Context, d *Draft) error { return change(d) })
	return d, err
}
