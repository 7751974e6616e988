package content

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"loa/campaigns"
)

// maxAttachment bounds an attachment's size (20 MB).
const maxAttachment = 20 << 20

// attachmentTypes are the recordings and images an item may carry, recognised by
// their content, never by their name.
var attachmentTypes = []string{"audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "image/png", "image/jpeg", "image/webp"}

// File is a stored attachment's description.
type File struct {
	SHA256      string `json:"sha256" bson:"_id"`
	ContentType string `json:"contentType" bson:"contentType"`
	Bytes       int64  `json:"bytes" bson:"bytes"`
}

// Attachment is an item's recording or image.
type Attachment struct {
	File `bson:",inline"`
	Name string `json:"name" bson:"name"`
}

// Attach stores data as the item's attachment, replacing any earlier one.
func (s *Service) Attach(ctx context.Context, actor campaigns.Actor, id, name string, data []byte) (Item, error) {
	if len(data) == 0 {
		return Item{}, fieldError("file", "the file is empty")
	}
	if len(data) > maxAttachment {
		return Item{}, fieldError("file", fmt.Sprintf("the file has %d bytes; at most %d (20 MB)", len(data), maxAttachment))
	}
	mt := mimetype.Detect(data)
	if !mimetype.EqualsAny(mt.String(), attachmentTypes...) {
		return Item{}, fieldError("file", fmt.Sprintf("the file is %s; attach an MP3, OGG or WAV recording or a PNG, JPEG or WebP image", mt.String()))
	}
	sum := sha256.Sum256(data)
	f := File{SHA256: hex.EncodeToString(sum[:]), ContentType: strings.Replace(mt.String(), "audio/x-wav", "audio/wav", 1), Bytes: int64(len(data))}
	defer s.store.LockItem(id)()
	old, err := s.store.Item(ctx, id)
	if err != nil {
		return Item{}, err
	}
	if old.Status == StatusArchived {
		return Item{}, fmt.Errorf("%w: item %s is archived", campaigns.ErrConflict, id)
	}
	if err := s.store.SaveFile(ctx, f, data); err != nil {
		return Item{}, err
	}
	it := old
	it.Attachment, it.UpdatedAt = &Attachment{File: f, Name: strings.TrimSpace(name)}, s.stamp()
	if err := s.store.ReplaceItem(ctx, it); err != nil {
		return Item{}, err
	}
	return it, s.audit.Record(ctx, actor.Username, campaigns.Change{Action: "attach", Entity: "content", EntityID: id,
		Before: old.Attachment, After: it.Attachment})
}

// AttachmentOf returns an item's attachment and its bytes.
func (s *Service) AttachmentOf(ctx context.Context, id string) (Attachment, []byte, error) {
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if it.Attachment == nil {
		return Attachment{}, nil, fmt.Errorf("%w: item %s has no attachment", campaigns.ErrNotFound, id)
	}
	_, data, err := s.store.File(ctx, it.Attachment.SHA256)
	if err != nil {
		return Attachment{}, nil, err
	}
	return *it.Attachment, data, nil
}
