package campaigns

import (
	"cmp"
	"context"
	"fmt"
	"time"

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
}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db *database.DB
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore {
	return &MongoStore{db: db}
}

// ApplyOrgUnits runs apply, which reads the tree and saves units with
// SaveOrgUnits, while no other ApplyOrgUnits runs in this process (the embedded
// engine's only writer); on a real MongoDB concurrent imports of overlapping
// units remain the admins' to avoid.
func (s *MongoStore) ApplyOrgUnits(ctx context.Context, apply func(ctx context.Context) error) error {
	_, err := s.db.Guard(ctx, database.Lock{Keys: []string{database.Key(orgUnitsColl, "import")}}, apply)
	return err
}

// Documents as stored. Most have the fields of their domain type, in the same
// order, so that a conversion between the two costs nothing; a campaign's nested
// period and indicators are converted field by field.
type (
	// orgUnitDoc is a version of a unit under its ID; a version stored before
	// units had dated versions has no code field, its `_id` is the code. Paths are
	// not stored: they depend on the date and are derived in memory.
	orgUnitDoc struct {
		ID         string    `bson:"_id"`
		Code       string    `bson:"code,omitempty"`
		Name       string    `bson:"name"`
		Type       string    `bson:"type"`
		Level      string    `bson:"level"`
		Parent     string    `bson:"parent,omitempty"`
		ValidFrom  *loa.Date `bson:"validFrom"`
		ValidTo    *loa.Date `bson:"validTo"`
		Successors []linkDoc `bson:"successors,omitempty"`
		SearchKey  string    `bson:"searchKey"`
	}
	linkDoc struct {
		Code  string  `bson:"code"`
		Share float64 `bson:"share,omitempty"`
	}
	targetGroupDoc struct {
		Code   string `bson:"_id"`
		NameVi string `bson:"nameVi"`
		NameEn string `bson:"nameEn"`
		Order  int    `bson:"order"`
	}
	populationDoc struct {
		ID      string `bson:"_id"`
		OrgUnit string `bson:"orgUnit"`
		Group   string `bson:"group"`
		Year    int    `bson:"year"`
		Count   int64  `bson:"count"`
		Source  string `bson:"source"`
	}
	campaignDoc struct {
		Code        string         `bson:"_id"`
		Title       string         `bson:"title"`
		Period      periodDoc      `bson:"period"`
		LegalBasis  string         `bson:"legalBasis"`
		OwnerAgency string         `bson:"ownerAgency"`
		Secretariat string         `bson:"secretariat"`
		Description string         `bson:"description"`
		Indicators  []indicatorDoc `bson:"indicators"`
		CreatedAt   time.Time      `bson:"createdAt"`
		UpdatedAt   time.Time      `bson:"updatedAt"`
	}
	periodDoc struct {
		Start loa.Date `bson:"start"`
		End   loa.Date `bson:"end"`
	}
	indicatorDoc struct {
		Code       string  `bson:"code"`
		Title      string  `bson:"title"`
		Rule       string  `bson:"rule"`
		Group      string  `bson:"group,omitempty"`
		Level      string  `bson:"level,omitempty"`
		Regularity string  `bson:"regularity,omitempty"`
		Channel    string  `bson:"channel,omitempty"`
		Comparator string  `bson:"comparator"`
		Threshold  float64 `bson:"threshold"`
		Source     string  `bson:"source"`
	}
)

func campaignToDoc(c Campaign) campaignDoc {
	return campaignDoc{Code: c.Code, Title: c.Title, Period: periodDoc(c.Period), LegalBasis: c.LegalBasis,
		OwnerAgency: c.OwnerAgency, Secretariat: c.Secretariat, Description: c.Description,
		Indicators: database.ConvertAll(c.Indicators, func(i Indicator) indicatorDoc { return indicatorDoc(i) }),
		CreatedAt:  c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (d campaignDoc) campaign() Campaign {
	return Campaign{Code: d.Code, Title: d.Title, Period: Period(d.Period), LegalBasis: d.LegalBasis,
		OwnerAgency: d.OwnerAgency, Secretariat: d.Secretariat, Description: d.Description,
		Indicators: database.ConvertAll(d.Indicators, func(i indicatorDoc) Indicator { return Indicator(i) }),
		CreatedAt:  d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// each converts the stored documents read, unless reading failed.
func each[D, T any](docs []D, err error, to func(D) T) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return database.ConvertAll(docs, to), nil
}

// OrgUnitsVersion returns the counter SaveOrgUnits bumps (0 before any save).
func (s *MongoStore) OrgUnitsVersion(ctx context.Context) (int64, error) {
	return s.db.Versions().Get(ctx, orgUnitsVersion)
}

// OrgUnits reads every unit (a small reference collection).
func (s *MongoStore) OrgUnits(ctx context.Context) ([]OrgUnit, error) {
	docs, err := database.All[orgUnitDoc](ctx, s.db.Collection(orgUnitsColl), bson.D{}, nil)
	return each(docs, err, unitFromDoc)
}

// SaveOrgUnits upserts units, then bumps the version so every cache reloads.
func (s *MongoStore) SaveOrgUnits(ctx context.Context, units []OrgUnit) error {
	models := make([]mongo.WriteModel, len(units))
	for i, u := range units {
		models[i] = mongo.NewReplaceOneModel().SetFilter(database.IDFilter(u.ID())).SetReplacement(unitToDoc(u)).SetUpsert(true)
	}
	_, err := s.db.Guard(ctx, database.Lock{Version: orgUnitsVersion}, func(ctx context.Context) error {
		if _, err := s.db.BulkWrite(ctx, orgUnitsColl, models); err != nil {
			return fmt.Errorf("save org units: %w", err)
		}
		return nil
	})
	return err
}

// TargetGroups reads the groups in display order.
func (s *MongoStore) TargetGroups(ctx context.Context) ([]TargetGroup, error) {
	docs, err := database.All[targetGroupDoc](ctx, s.db.Collection(targetGroupsColl), bson.D{},
		bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}})
	return each(docs, err, func(d targetGroupDoc) TargetGroup { return TargetGroup(d) })
}

// AddTargetGroups inserts the groups not stored yet and leaves the others as edited.
func (s *MongoStore) AddTargetGroups(ctx context.Context, groups []TargetGroup) error {
	for _, g := range groups {
		_, err := s.db.Collection(targetGroupsColl).InsertOne(ctx, targetGroupDoc(g))
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
	docs, err := database.All[populationDoc](ctx, s.db.Collection(populationsColl), filter, bson.D{{Key: "_id", Value: 1}})
	return each(docs, err, func(d populationDoc) Population { return Population(d) })
}

// SavePopulations upserts denominators by their natural key.
func (s *MongoStore) SavePopulations(ctx context.Context, ps []Population) error {
	models := make([]mongo.WriteModel, len(ps))
	for i, p := range ps {
		models[i] = mongo.NewReplaceOneModel().SetFilter(database.IDFilter(p.ID)).SetReplacement(populationDoc(p)).SetUpsert(true)
	}
	if _, err := s.db.BulkWrite(ctx, populationsColl, models); err != nil {
		return fmt.Errorf("save populations: %w", err)
	}
	return nil
}

// Campaigns reads every campaign by code.
func (s *MongoStore) Campaigns(ctx context.Context) ([]Campaign, error) {
	docs, err := database.All[campaignDoc](ctx, s.db.Collection(campaignsColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
	return each(docs, err, campaignDoc.campaign)
}

// Campaign reads one campaign.
func (s *MongoStore) Campaign(ctx context.Context, code string) (Campaign, error) {
	d, found, err := database.ByID[campaignDoc](ctx, s.db.Collection(campaignsColl), code)
	if err == nil && !found {
		err = fmt.Errorf("%w: no campaign with code %s", loa.ErrNotFound, code)
	}
	return d.campaign(), err
}

// InsertCampaign stores a new campaign; an existing code is ErrConflict.
func (s *MongoStore) InsertCampaign(ctx context.Context, c Campaign) error {
	_, err := s.db.Collection(campaignsColl).InsertOne(ctx, campaignToDoc(c))
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
	res, err := s.db.Collection(campaignsColl).ReplaceOne(ctx, database.IDFilter(c.Code), campaignToDoc(c))
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
	res, err := s.db.Collection(campaignsColl).DeleteOne(ctx, database.IDFilter(code))
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
	_, err := s.db.Collection(metaColl).UpdateOne(ctx, database.IDFilter("seed|"+step),
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record seed step %s: %w", step, err)
	}
	return nil
}

func unitToDoc(u OrgUnit) orgUnitDoc {
	return orgUnitDoc{ID: u.ID(), Code: u.Code, Name: u.Name, Type: u.Type, Level: u.Level, Parent: u.Parent,
		ValidFrom: u.ValidFrom, ValidTo: u.ValidTo, SearchKey: u.SearchKey,
		Successors: database.ConvertAll(u.Successors, func(l Link) linkDoc { return linkDoc{Code: l.Code, Share: l.Share} })}
}

func unitFromDoc(d orgUnitDoc) OrgUnit {
	return OrgUnit{Code: cmp.Or(d.Code, d.ID), Name: d.Name, Type: d.Type, Level: d.Level, Parent: d.Parent,
		ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, SearchKey: d.SearchKey,
		Successors: database.ConvertAll(d.Successors, func(l linkDoc) Link { return Link{Code: l.Code, Share: l.Share} })}
}
