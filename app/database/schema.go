package database

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	_ "modernc.org/sqlite" // the driver FerretDB itself uses, for the `_id` index fix
)

// Collection is one collection Loa owns and the indexes it needs besides `_id`.
type Collection struct {
	Name    string
	Indexes []mongo.IndexModel
}

// EnsureSchema creates every collection and index in the list, idempotently. On the
// embedded engine it then adds the `_id` expression index that FerretDB's SQLite
// backend forgets (docs/ferretdb.md, defect 1), so lookups by `_id` use an index.
func (db *DB) EnsureSchema(ctx context.Context, schema []Collection) error {
	existing, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	for _, c := range schema {
		if !slices.Contains(existing, c.Name) {
			if err := db.CreateCollection(ctx, c.Name); err != nil && !isNamespaceExists(err) {
				return fmt.Errorf("create collection %s: %w", c.Name, err)
			}
		}
		if err := db.createIndexes(ctx, c); err != nil {
			return err
		}
	}
	if db.engine == nil {
		return nil
	}
	names := make([]string, len(schema))
	for i, c := range schema {
		names[i] = c.Name
	}
	return db.engine.indexIDs(ctx, db.Name(), names)
}

// createIndexes creates the indexes of c that do not exist yet. (The embedded engine
// crashes the connection when a compound index is created again, so existing ones
// are skipped rather than relying on createIndexes being idempotent.)
func (db *DB) createIndexes(ctx context.Context, c Collection) error {
	if len(c.Indexes) == 0 {
		return nil
	}
	cur, err := db.Collection(c.Name).Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("list indexes of %s: %w", c.Name, err)
	}
	var existing []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return fmt.Errorf("list indexes of %s: %w", c.Name, err)
	}
	names := make([]string, len(existing))
	for i, e := range existing {
		names[i] = e.Name
	}
	for _, m := range c.Indexes {
		name := indexName(m.Keys.(bson.D))
		if slices.Contains(names, name) {
			continue
		}
		m.Options = cmp.Or(m.Options, options.Index()).SetName(name)
		if _, err := db.Collection(c.Name).Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index %s of %s: %w", name, c.Name, err)
		}
	}
	return nil
}

// indexName is MongoDB's default name for an index on keys, e.g. "entity_1_at_1".
func indexName(keys bson.D) string {
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k.Key, fmt.Sprint(k.Value))
	}
	return strings.Join(parts, "_")
}

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// indexIDs creates, in the SQLite file of database dbName, an index on the exact
// expression FerretDB's queries use for `_id`.
func (e *Engine) indexIDs(ctx context.Context, dbName string, collections []string) error {
	file := sqliteFile(e.dir, dbName)
	conn, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	defer conn.Close()
	for _, name := range collections {
		var table string
		err := conn.QueryRowContext(ctx,
			`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, name).Scan(&table)
		if err != nil {
			return fmt.Errorf("find table of collection %s: %w", name, err)
		}
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_id_path", table)
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index _id of %s: %w", name, err)
		}
	}
	return nil
}
