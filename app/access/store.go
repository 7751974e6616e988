package access

import (
	"context"
	"fmt"
	"slices"
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

	maxFailuresKept = 50 // past this many, failures outside the window are trimmed
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
	ReplaceUser(ctx context.Context, u User) error
	DeleteUser(ctx context.Context, username string) error
	// Lock serialises changes of one account's document.
	Lock(username string) (unlock func())

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

	// LockLogin serialises login attempts under one limit key.
	LockLogin(key string) (unlock func())
	Failures(ctx context.Context, key string) ([]time.Time, error)
	AddFailure(ctx context.Context, key string, at time.Time, window time.Duration) error
	ClearFailures(ctx context.Context, key string) error
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

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// Users reads every account (a small collection).
func (s *MongoStore) Users(ctx context.Context) ([]User, error) {
	return database.All[User](ctx, s.db.Collection(usersColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
}

// User reads one account.
func (s *MongoStore) User(ctx context.Context, username string) (User, error) {
	u, found, err := database.ByID[User](ctx, s.db.Collection(usersColl), username)
	if err == nil && !found {
		err = fmt.Errorf("%w: no account %s", loa.ErrNotFound, username)
	}
	return u, err
}

// InsertUser stores a new account; a taken username is ErrConflict.
func (s *MongoStore) InsertUser(ctx context.Context, u User) error {
	_, err := s.db.Collection(usersColl).InsertOne(ctx, u)
	if mongo.IsDuplicateKeyError(err) {
		return &loa.FieldConflict{Field: "username", Message: fmt.Sprintf("the username %s is taken", u.Username)}
	}
	if err != nil {
		return fmt.Errorf("insert user %s: %w", u.Username, err)
	}
	return nil
}

// ReplaceUser overwrites an account.
func (s *MongoStore) ReplaceUser(ctx context.Context, u User) error {
	res, err := s.db.Collection(usersColl).ReplaceOne(ctx, byID(u.Username), u)
	if err != nil {
		return fmt.Errorf("replace user %s: %w", u.Username, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("%w: no account %s", loa.ErrNotFound, u.Username)
	}
	_, err = s.db.Versions().Bump(ctx, authVersion)
	return err
}

// DeleteUser removes an account.
func (s *MongoStore) DeleteUser(ctx context.Context, username string) error {
	res, err := s.db.Collection(usersColl).DeleteOne(ctx, byID(username))
	if err != nil {
		return fmt.Errorf("delete user %s: %w", username, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w: no account %s", loa.ErrNotFound, username)
	}
	_, err = s.db.Versions().Bump(ctx, authVersion)
	return err
}

// Lock serialises read-modify-write of one account document.
func (s *MongoStore) Lock(username string) func() {
	return s.db.Locks().Lock(usersColl + "|" + username)
}

// Token reads a token by the hash of its secret.
func (s *MongoStore) Token(ctx context.Context, hash string) (Token, error) {
	t, found, err := database.ByID[Token](ctx, s.db.Collection(tokensColl), hash)
	if err == nil && !found {
		err = fmt.Errorf("%w: no such token", loa.ErrNotFound)
	}
	return t, err
}

// InsertToken stores a token's hash.
func (s *MongoStore) InsertToken(ctx context.Context, t Token) error {
	if _, err := s.db.Collection(tokensColl).InsertOne(ctx, t); err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// DeleteToken revokes one token.
func (s *MongoStore) DeleteToken(ctx context.Context, hash string) error {
	res, err := s.db.Collection(tokensColl).DeleteOne(ctx, byID(hash))
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

// LockLogin serialises attempts under one limit key within this process (with
// several replicas on a real MongoDB, parallel attempts on different replicas can
// each be checked before the others are counted).
func (s *MongoStore) LockLogin(key string) func() { return s.db.Locks().Lock("login|" + key) }

type failures struct {
	At []time.Time `bson:"at"`
}

// Failures reads the recorded failed logins of key, oldest first.
func (s *MongoStore) Failures(ctx context.Context, key string) ([]time.Time, error) {
	f, _, err := database.ByID[failures](ctx, s.db.Collection(failuresColl), key)
	return f.At, err
}

// AddFailure records a failed login at with an atomic push, so failures counted by
// several replicas add up, then trims entries older than window once there are many.
func (s *MongoStore) AddFailure(ctx context.Context, key string, at time.Time, window time.Duration) error {
	defer s.db.Locks().Lock(failuresColl + "|" + key)()
	_, err := s.db.Collection(failuresColl).UpdateOne(ctx, byID(key),
		bson.D{{Key: "$push", Value: bson.D{{Key: "at", Value: at}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	all, err := s.Failures(ctx, key)
	if err != nil || len(all) <= maxFailuresKept {
		return err
	}
	recent := slices.DeleteFunc(all, func(t time.Time) bool { return at.Sub(t) >= window })
	_, err = s.db.Collection(failuresColl).ReplaceOne(ctx, byID(key), failures{At: recent})
	if err != nil {
		return fmt.Errorf("trim login failures: %w", err)
	}
	return nil
}

// ClearFailures forgets the failed logins of key.
func (s *MongoStore) ClearFailures(ctx context.Context, key string) error {
	if _, err := s.db.Collection(failuresColl).DeleteOne(ctx, byID(key)); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
