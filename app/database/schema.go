package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
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
		if len(c.Indexes) > 0 {
			if _, err := db.Collection(c.Name).Indexes().CreateMany(ctx, c.Indexes); err != nil {
				return fmt.Errorf("create indexes of %s: %w", c.Name, err)
			}
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

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// indexIDs creates, in the SQLite file of database dbName, an index on the exact
// expression FerretDB's queries use for `_id`.
func (e *Engine) indexIDs(ctx context.Context, dbName string, collections []string) error {
	file := filepath.Join(e.dir, dbName+".sqlite")
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
