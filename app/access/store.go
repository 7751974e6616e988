package access

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"loa/app/database"
)

const (
	usersColl  = "users"
	tokensColl = "tokens"
)

// Schema lists the collections this package owns; users and tokens are read by
// `_id` (username, token hash) only.
var Schema = []database.Collection{{Name: usersColl}, {Name: tokensColl}}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db *mongo.Database
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore { return &MongoStore{db: db.Database} }

// User reads one account.
func (s *MongoStore) User(ctx context.Context, username string) (User, error) {
	var u User
	err := s.db.Collection(usersColl).FindOne(ctx, bson.D{{Key: "_id", Value: username}}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, fmt.Errorf("user %s: %w", username, errNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %s: %w", username, err)
	}
	return u, nil
}

// InsertUser stores a new account.
func (s *MongoStore) InsertUser(ctx context.Context, u User) error {
	if _, err := s.db.Collection(usersColl).InsertOne(ctx, u); err != nil {
		return fmt.Errorf("insert user %s: %w", u.Username, err)
	}
	return nil
}

// Token reads a token by the hash of its secret.
func (s *MongoStore) Token(ctx context.Context, hash string) (Token, error) {
	var t Token
	err := s.db.Collection(tokensColl).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&t)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Token{}, fmt.Errorf("token: %w", errNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// InsertToken stores a token's hash.
func (s *MongoStore) InsertToken(ctx context.Context, t Token) error {
	if _, err := s.db.Collection(tokensColl).InsertOne(ctx, t); err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}
