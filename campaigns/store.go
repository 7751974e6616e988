package campaigns

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa"
	"loa/app/database"
)

const (
	orgUnitsColl     = "orgunits"
	targetGroupsColl = "targetgroups"
	populationsColl  = "populations"
	campaignsColl    = "campaigns"
	metaColl         = "campaigns_meta"
	reachColl        = "reach"

	orgUnitsVersion = "orgunits"
)

// Schema lists the collections this package owns. Every document has a natural
// string `_id` (a code or a composite key), the one indexed path on both engines.
var Schema = []database.Collection{
	{Name: orgUnitsColl},
	{Name: targetGroupsColl},
	{Name: populationsColl},
	{Name: campaignsColl},
	{Name: metaColl},
	{Name: reachColl, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "campaign", Value: 1}}}}},
	{Name: rollupsColl},
	{Name: indexColl},
	{Name: journalColl},
	{Name: manualColl},
}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db *database.DB
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore {
	return &MongoStore{db: db}
}

// LockOrgUnits serialises org-unit imports within this process (the embedded
// engine's only writer); on a real MongoDB concurrent imports of overlapping units
// remain the admins' to avoid.
func (s *MongoStore) LockOrgUnits() func() { return s.db.Locks().Lock(orgUnitsColl + "|import") }

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// OrgUnitsVersion returns the counter SaveOrgUnits bumps (0 before any save).
func (s *MongoStore) OrgUnitsVersion(ctx context.Context) (int64, error) {
	return s.db.Versions().Get(ctx, orgUnitsVersion)
}

// OrgUnits reads every unit (a small reference collection).
func (s *MongoStore) OrgUnits(ctx context.Context) ([]OrgUnit, error) {
	return database.All[OrgUnit](ctx, s.db.Collection(orgUnitsColl), bson.D{}, nil)
}

// SaveOrgUnits upserts units, then bumps the version so every cache reloads.
func (s *MongoStore) SaveOrgUnits(ctx context.Context, units []OrgUnit) error {
	models := make([]mongo.WriteModel, len(units))
	for i, u := range units {
		models[i] = mongo.NewReplaceOneModel().SetFilter(byID(u.Code)).SetReplacement(u).SetUpsert(true)
	}
	if _, err := s.db.BulkWrite(ctx, orgUnitsColl, models); err != nil {
		return fmt.Errorf("save org units: %w", err)
	}
	_, err := s.db.Versions().Bump(ctx, orgUnitsVersion)
	return err
}

// TargetGroups reads the groups in display order.
func (s *MongoStore) TargetGroups(ctx context.Context) ([]TargetGroup, error) {
	return database.All[TargetGroup](ctx, s.db.Collection(targetGroupsColl), bson.D{},
		bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}})
}

// AddTargetGroups inserts the groups not stored yet and leaves the others as edited.
func (s *MongoStore) AddTargetGroups(ctx context.Context, groups []TargetGroup) error {
	for _, g := range groups {
		_, err := s.db.Collection(targetGroupsColl).InsertOne(ctx, g)
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("add target group %s: %w", g.Code, err)
		}
	}
	return nil
}

// Populations reads the denominators f selects.
func (s *MongoStore) Populations(ctx context.Context, f PopulationFilter) ([]Population, error) {
	filter := bson.D{}
	if f.Year != 0 {
		filter = append(filter, bson.E{Key: "year", Value: f.Year})
	}
	if f.OrgUnit != "" {
		filter = append(filter, bson.E{Key: "orgUnit", Value: f.OrgUnit})
	}
	if f.Group != "" {
		filter = append(filter, bson.E{Key: "group", Value: f.Group})
	}
	return database.All[Population](ctx, s.db.Collection(populationsColl), filter, bson.D{{Key: "_id", Value: 1}})
}

// SavePopulations upserts denominators by their natural key.
func (s *MongoStore) SavePopulations(ctx context.Context, ps []Population) error {
	models := make([]mongo.WriteModel, len(ps))
	for i, p := range ps {
		models[i] = mongo.NewReplaceOneModel().SetFilter(byID(p.ID)).SetReplacement(p).SetUpsert(true)
	}
	if _, err := s.db.BulkWrite(ctx, populationsColl, models); err != nil {
		return fmt.Errorf("save populations: %w", err)
	}
	return nil
}

// Campaigns reads every campaign by code.
func (s *MongoStore) Campaigns(ctx context.Context) ([]Campaign, error) {
	return database.All[Campaign](ctx, s.db.Collection(campaignsColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
}

// Campaign reads one campaign.
func (s *MongoStore) Campaign(ctx context.Context, code string) (Campaign, error) {
	c, found, err := database.ByID[Campaign](ctx, s.db.Collection(campaignsColl), code)
	if err == nil && !found {
		err = fmt.Errorf("%w: no campaign with code %s", loa.ErrNotFound, code)
	}
	return c, err
}

// InsertCampaign stores a new campaign; an existing code is ErrConflict.
func (s *MongoStore) InsertCampaign(ctx context.Context, c Campaign) error {
	_, err := s.db.Collection(campaignsColl).InsertOne(ctx, c)
	if mongo.IsDuplicateKeyError(err) {
		return &loa.FieldConflict{Field: "code", Message: fmt.Sprintf("campaign code %s is already used", c.Code)}
	}
	if err != nil {
		return fmt.Errorf("insert campaign %s: %w", c.Code, err)
	}
	return nil
}

// ReplaceCampaign overwrites a stored campaign.
func (s *MongoStore) ReplaceCampaign(ctx context.Context, c Campaign) error {
	res, err := s.db.Collection(campaignsColl).ReplaceOne(ctx, byID(c.Code), c)
	if err != nil {
		return fmt.Errorf("replace campaign %s: %w", c.Code, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("%w: no campaign with code %s", loa.ErrNotFound, c.Code)
	}
	return nil
}

// DeleteCampaign removes a campaign.
func (s *MongoStore) DeleteCampaign(ctx context.Context, code string) error {
	res, err := s.db.Collection(campaignsColl).DeleteOne(ctx, byID(code))
	if err != nil {
		return fmt.Errorf("delete campaign %s: %w", code, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w: no campaign with code %s", loa.ErrNotFound, code)
	}
	return nil
}

// Seeded reports whether step has been recorded as done.
func (s *MongoStore) Seeded(ctx context.Context, step string) (bool, error) {
	_, found, err := database.ByID[bson.M](ctx, s.db.Collection(metaColl), "seed|"+step)
	return found, err
}

// MarkSeeded records step as done.
func (s *MongoStore) MarkSeeded(ctx context.Context, step string) error {
	_, err := s.db.Collection(metaColl).UpdateOne(ctx, byID("seed|"+step),
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record seed step %s: %w", step, err)
	}
	return nil
}
