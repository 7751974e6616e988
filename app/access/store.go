package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa"
	"loa/app/database"
)

const (
	usersColl    = "users"
	tokensColl   = "tokens"
	failuresColl = "login_failures"
)

// Schema lists the collections this package owns; request paths read them by `_id`
// only (username, token hash, limit key). The username index serves revocation of
// all of an account's tokens, an admin action.
var Schema = []database.Collection{
	{Name: usersColl},
	{Name: tokensColl, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "username", Value: 1}}}}},
	{Name: failuresColl},
}

// Store is the persistence the service needs.
type Store interface {
	Users(ctx context.Context) ([]User, error)
	User(ctx context.Context, username string) (User, error)
	InsertUser(ctx context.Context, u User) error
	DeleteUser(ctx context.Context, username string) error
	// UpdateUser reads an account, lets change edit it and writes it back, under the
	// account's lock; a failing change writes nothing.
	UpdateUser(ctx context.Context, username string, change func(ctx context.Context, u *User) error) (User, error)
	// TouchUser is UpdateUser for a change that no sign-in depends on (when a
	// token was last used): it leaves the version of the accounts, and so the
	// sign-ins cached on it, as they are.
	TouchUser(ctx context.Context, username string, change func(ctx context.Context, u *User) error) (User, error)

	Token(ctx context.Context, hash string) (Token, error)
	InsertToken(ctx context.Context, t Token) error
	DeleteToken(ctx context.Context, hash string) error
	// DeleteTokens revokes every token of username except the one with hash keep.
	DeleteTokens(ctx context.Context, username, keep string) error
	// DeleteExpiredTokens removes tokens that expired before now; it says how many.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)

	// AuthVersion changes whenever a token may have been revoked or an account
	// changed, so cached sign-ins are checked again.
	AuthVersion(ctx context.Context) (int64, error)

	// Attempt runs a login attempt counted under keys, one at a time per key within
	// the process.
	Attempt(ctx context.Context, keys []string, attempt func(ctx context.Context) error) error
	Strikes(ctx context.Context, key string) (Strikes, error)
	// AddFailure counts a failed login of key at at (from one again when the last
	// failure is forget old) and sets the next attempt allowed to at + delay(count).
	AddFailure(ctx context.Context, key string, at time.Time, forget time.Duration, delay func(n int) time.Duration) error
	ClearFailures(ctx context.Context, key string) error
	// DeleteStaleStrikes forgets the keys whose last failure is at or before before.
	DeleteStaleStrikes(ctx context.Context, before time.Time) (int64, error)
}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db *database.DB
}

const authVersion = "auth"

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore {
	return &MongoStore{db: db}
}

// AuthVersion is bumped by every write that can end a sign-in.
func (s *MongoStore) AuthVersion(ctx context.Context) (int64, error) {
	return s.db.Versions().Get(ctx, authVersion)
}

// userDoc is a stored account, keyed by its username.
type userDoc struct {
	Username     string         `bson:"_id"`
	DisplayName  string         `bson:"displayName"`
	Roles        []string       `bson:"roles"`
	Scope        string         `bson:"scope"`
	ExtraScopes  []string       `bson:"extraScopes,omitempty"`
	Active       bool           `bson:"active"`
	PasswordHash []byte         `bson:"passwordHash"`
	APITokens    []tokenInfoDoc `bson:"apiTokens"`
	Station      string         `bson:"station,omitempty"`
	CreatedAt    time.Time      `bson:"createdAt"`
	UpdatedAt    time.Time      `bson:"updatedAt"`
}

func userDocOf(u User) userDoc {
	return userDoc{Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles, Scope: u.Scope, ExtraScopes: u.ExtraScopes,
		Active: u.Active, PasswordHash: u.PasswordHash, APITokens: database.ConvertAll(u.APITokens, tokenInfoDocOf), Station: u.Station,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (d userDoc) user() User {
	return User{Username: d.Username, DisplayName: d.DisplayName, Roles: d.Roles, Scope: d.Scope, ExtraScopes: d.ExtraScopes,
		Active: d.Active, PasswordHash: d.PasswordHash, APITokens: database.ConvertAll(d.APITokens, tokenInfoDoc.info), Station: d.Station,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// tokenInfoDoc is an API token as listed on its account.
type tokenInfoDoc struct {
	ID        string    `bson:"id"`
	Hash      string    `bson:"hash"`
	Kind      string    `bson:"kind"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
	// LastUsedAt: see TokenInfo.
	LastUsedAt time.Time `bson:"lastUsedAt,omitempty"`
}

func tokenInfoDocOf(t TokenInfo) tokenInfoDoc { return tokenInfoDoc(t) }

func (d tokenInfoDoc) info() TokenInfo { return TokenInfo(d) }

// tokenDoc is a stored token, keyed by the hash of its secret.
type tokenDoc struct {
	Hash      string    `bson:"_id"`
	ID        string    `bson:"id"`
	Username  string    `bson:"username"`
	Kind      string    `bson:"kind"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

func tokenDocOf(t Token) tokenDoc { return tokenDoc(t) }

func (d tokenDoc) token() Token { return Token(d) }

// Users reads every account (a small collection).
func (s *MongoStore) Users(ctx context.Context) ([]User, error) {
	docs, err := database.All[userDoc](ctx, s.db.Collection(usersColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
	return database.ConvertAll(docs, userDoc.user), err
}

// User reads one account.
func (s *MongoStore) User(ctx context.Context, username string) (User, error) {
	d, found, err := database.ByID[userDoc](ctx, s.db.Collection(usersColl), username)
	if err == nil && !found {
		err = fmt.Errorf("%w: no account %s", loa.ErrNotFound, username)
	}
	return d.user(), err
}

// InsertUser stores a new account; a taken username is ErrConflict.
func (s *MongoStore) InsertUser(ctx context.Context, u User) error {
	_, err := s.db.Collection(usersColl).InsertOne(ctx, userDocOf(u))
	if mongo.IsDuplicateKeyError(err) {
		return &loa.FieldConflict{Field: "username", Message: fmt.Sprintf("the username %s is taken", u.Username)}
	}
	if err != nil {
		return fmt.Errorf("insert user %s: %w", u.Username, err)
	}
	return nil
}

// DeleteUser removes an account.
func (s *MongoStore) DeleteUser(ctx context.Context, username string) error {
	res, err := s.db.Collection(usersColl).DeleteOne(ctx, database.IDFilter(username))
	if err != nil {
		return fmt.Errorf("delete user %s: %w", username, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w: no account %s", loa.ErrNotFound, username)
	}
	_, err = s.db.Versions().Bump(ctx, authVersion)
	return err
}

// UpdateUser changes one account under its lock.
func (s *MongoStore) UpdateUser(ctx context.Context, username string, change func(ctx context.Context, u *User) error) (User, error) {
	u, _, err := database.UpdateAs(ctx, s.db, database.Doc{Coll: usersColl, ID: username, Version: authVersion,
		Missing: fmt.Errorf("%w: no account %s", loa.ErrNotFound, username)}, userDoc.user, userDocOf, change)
	return u, err
}

// TouchUser implements Store.
func (s *MongoStore) TouchUser(ctx context.Context, username string, change func(ctx context.Context, u *User) error) (User, error) {
	u, _, err := database.UpdateAs(ctx, s.db, database.Doc{Coll: usersColl, ID: username,
		Missing: fmt.Errorf("%w: no account %s", loa.ErrNotFound, username)}, userDoc.user, userDocOf, change)
	return u, err
}

// Token reads a token by the hash of its secret.
func (s *MongoStore) Token(ctx context.Context, hash string) (Token, error) {
	d, found, err := database.ByID[tokenDoc](ctx, s.db.Collection(tokensColl), hash)
	if err == nil && !found {
		err = fmt.Errorf("%w: no such token", loa.ErrNotFound)
	}
	return d.token(), err
}

// InsertToken stores a token's hash.
func (s *MongoStore) InsertToken(ctx context.Context, t Token) error {
	if _, err := s.db.Collection(tokensColl).InsertOne(ctx, tokenDocOf(t)); err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// DeleteToken revokes one token.
func (s *MongoStore) DeleteToken(ctx context.Context, hash string) error {
	res, err := s.db.Collection(tokensColl).DeleteOne(ctx, database.IDFilter(hash))
	if err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w: no such token", loa.ErrNotFound)
	}
	_, err = s.db.Versions().Bump(ctx, authVersion)
	return err
}

// DeleteTokens revokes every token of username but keep.
func (s *MongoStore) DeleteTokens(ctx context.Context, username, keep string) error {
	filter := bson.D{{Key: "username", Value: username}}
	if keep != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: keep}}})
	}
	if _, err := s.db.Collection(tokensColl).DeleteMany(ctx, filter); err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", username, err)
	}
	_, err := s.db.Versions().Bump(ctx, authVersion)
	return err
}

// DeleteExpiredTokens removes dead tokens (a background task: it reads the whole
// collection on the embedded engine).
func (s *MongoStore) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Collection(tokensColl).DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: now}}}})
	if err != nil {
		return 0, fmt.Errorf("delete expired tokens: %w", err)
	}
	return res.DeletedCount, nil
}

// Attempt serialises attempts under each limit key within this process (with
// several replicas on a real MongoDB, parallel attempts on different replicas can
// each be checked before the others are counted).
func (s *MongoStore) Attempt(ctx context.Context, keys []string, attempt func(ctx context.Context) error) error {
	held := make([]string, len(keys))
	for i, k := range keys {
		held[i] = "login|" + k
	}
	_, err := s.db.Guard(ctx, database.Lock{Keys: held, Everywhere: true}, attempt)
	return err
}

// strikesDoc are the stored failures of one limit key.
type strikesDoc struct {
	Failures int       `bson:"failures"`
	Last     time.Time `bson:"last"`
	Next     time.Time `bson:"next"`
}

// Strikes reads the failed logins of key; none is the zero Strikes.
func (s *MongoStore) Strikes(ctx context.Context, key string) (Strikes, error) {
	d, _, err := database.ByID[strikesDoc](ctx, s.db.Collection(failuresColl), key)
	return Strikes(d), err
}

// AddFailure counts a failure with an atomic increment, so failures counted by
// several replicas add up, then moves the next allowed attempt forward only ($max).
func (s *MongoStore) AddFailure(ctx context.Context, key string, at time.Time, forget time.Duration, delay func(n int) time.Duration) error {
	_, err := s.db.Guard(ctx, database.Lock{Keys: []string{database.Key(failuresColl, key)}}, func(ctx context.Context) error {
		coll := s.db.Collection(failuresColl)
		var prev strikesDoc
		err := coll.FindOneAndUpdate(ctx, database.IDFilter(key),
			bson.D{{Key: "$inc", Value: bson.D{{Key: "failures", Value: 1}}}, {Key: "$set", Value: bson.D{{Key: "last", Value: at}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&prev)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return fmt.Errorf("record login failure: %w", err)
		}
		n := prev.Failures + 1
		update := bson.D{{Key: "$max", Value: bson.D{{Key: "next", Value: at.Add(delay(n))}}}}
		if prev.Failures > 0 && at.Sub(prev.Last) >= forget {
			n = 1 // the earlier failures are forgotten
			update = bson.D{{Key: "$set", Value: bson.D{{Key: "failures", Value: n}, {Key: "next", Value: at.Add(delay(n))}}}}
		}
		if _, err := coll.UpdateOne(ctx, database.IDFilter(key), update); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		return nil
	})
	return err
}

// ClearFailures forgets the failed logins of key.
func (s *MongoStore) ClearFailures(ctx context.Context, key string) error {
	if _, err := s.db.Collection(failuresColl).DeleteOne(ctx, database.IDFilter(key)); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// DeleteStaleStrikes is a background task: it reads the whole collection on the
// embedded engine.
func (s *MongoStore) DeleteStaleStrikes(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Collection(failuresColl).DeleteMany(ctx, bson.D{{Key: "last", Value: bson.D{{Key: "$lte", Value: before}}}})
	if err != nil {
		return 0, fmt.Errorf("delete stale login failures: %w", err)
	}
	return res.DeletedCount, nil
}
