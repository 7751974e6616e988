package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa/app/database"
	"loa/app/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var counters = []database.Collection{{Name: "counters"}}

// The embedded engine loses concurrent $inc on one document; the keyed lock must
// make every increment count.
func TestLocksSerialiseIncrements(t *testing.T) {
	db := dbtest.New(t, counters)
	ctx := context.Background()
	coll := db.Collection("counters")
	const workers, each = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := db.Guard(ctx, database.Lock{Keys: []string{database.Key("counters", "c")}}, func(ctx context.Context) error {
					_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}},
						bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var got struct{ N int }
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.N != workers*each {
		t.Errorf("counter = %d after %d locked increments, want %d", got.N, workers*each, workers*each)
	}
}

func TestEnsureSchemaIsIdempotentAndEnforcesUniqueIndexes(t *testing.T) {
	schema := []database.Collection{{Name: "things", Indexes: []mongo.IndexModel{
		{Keys: bson.D{{Key: "code", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "at", Value: 1}}}, // compound: FerretDB crashes on re-creating one
	}}}
	db := dbtest.New(t, schema)
	ctx := context.Background()
	if err := db.EnsureSchema(ctx, schema); err != nil {
		t.Fatalf("second EnsureSchema: %v", err)
	}
	coll := db.Collection("things")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "code", Value: "X"}}); err != nil {
		t.Fatal(err)
	}
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "b"}, {Key: "code", Value: "X"}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Errorf("insert of a duplicate code: err = %v, want a duplicate key error", err)
	}
}

// The `_id` index fix is in place for every collection of the schema: without it
// every lookup by `_id` scans the table (docs/ferretdb.md, defect 1).
func TestIDIndexFix(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{DataDir: dir, Name: "loa", Logger: dbtest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	schema := []database.Collection{{Name: "alpha"}, {Name: "beta"}}
	if err := db.EnsureSchema(ctx, schema); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "loa.sqlite")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range schema {
		var table string
		if err := conn.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, c.Name).Scan(&table); err != nil {
			t.Fatal(err)
		}
		var plan, detail string
		rows, err := conn.Query(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "` + table + `" WHERE _ferretdb_sjson->'$._id' = 'x'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, notused int
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan += detail + "; "
		}
		rows.Close()
		if !strings.Contains(plan, table+"_id_path") {
			t.Errorf("lookup by _id in %s does not use the index: %s", c.Name, plan)
		}
	}
}

// An acknowledged write is on disk: it is there after Close and a new Open of the
// same data directory.
func TestWritesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	opts := database.Options{DataDir: dir, Name: "loa", Logger: dbtest.Logger()}
	db, err := database.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureSchema(ctx, counters); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("counters").InsertOne(ctx, bson.D{{Key: "_id", Value: "kept"}, {Key: "n", Value: 7}}); err != nil {
		t.Fatal(err)
	}
	if _, err := database.Open(ctx, opts); err == nil {
		t.Error("a second Open of a data directory in use succeeded, want an error")
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}

	db, err = database.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	var got struct{ N int }
	if err := db.Collection("counters").FindOne(ctx, bson.D{{Key: "_id", Value: "kept"}}).Decode(&got); err != nil {
		t.Fatalf("read back after restart: %v", err)
	}
	if got.N != 7 {
		t.Errorf("n = %d after restart, want 7", got.N)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "loa.sqlite*")); len(m) == 0 {
		t.Errorf("no SQLite file in the data directory %s", dir)
	}
}

// BenchmarkFindOneByID measures a lookup by `_id` in a collection of 50,000
// documents, the access path the `_id` index fix exists for (budget: well under 1 ms).
func BenchmarkFindOneByID(b *testing.B) {
	db := dbtest.New(b, []database.Collection{{Name: "docs"}})
	ctx := context.Background()
	coll := db.Collection("docs")
	const n = 50_000
	batch := make([]any, 0, 1000)
	for i := range n {
		batch = append(batch, bson.D{{Key: "_id", Value: fmt.Sprintf("doc|%06d", i)}, {Key: "v", Value: i}})
		if len(batch) == cap(batch) {
			if _, err := coll.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false)); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var got struct{ V int }
		id := fmt.Sprintf("doc|%06d", (i*7919)%n)
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBulkWriteOfManyReplacements replaces 250 stored documents in one call: the
// embedded engine hangs on a single bulk write of 100 such replacements, so
// BulkWrite sends them in batches.
func TestBulkWriteOfManyReplacements(t *testing.T) {
	db := dbtest.New(t, []database.Collection{{Name: "docs"}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var docs []any
	var models []mongo.WriteModel
	for i := range 250 {
		id := fmt.Sprintf("d%03d", i)
		docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "n", Value: 1}})
		models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).
			SetReplacement(bson.D{{Key: "_id", Value: id}, {Key: "n", Value: 2}}))
	}
	if _, err := db.Collection("docs").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	res, err := db.BulkWrite(ctx, "docs", models)
	if err != nil || res.MatchedCount != 250 || res.ModifiedCount != 250 {
		t.Fatalf("bulk write: %+v, %v", res, err)
	}
	n, err := db.Collection("docs").CountDocuments(ctx, bson.D{{Key: "n", Value: 2}})
	if err != nil || n != 250 {
		t.Errorf("%d documents replaced, %v", n, err)
	}
}
