package content

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"loa"
)

// maxAttachment bounds an attachment's size (20 MB).
const maxAttachment = 20 << 20

// AttachmentUploads is how many attachments may be received at once, by the API and
// the pages together: each is held in memory (up to 20 MB) while it is checked and
// stored.
const AttachmentUploads = 4

// AttachmentSlot takes one of the AttachmentUploads slots for receiving an
// attachment, or answers busy at once; release frees it.
func (s *Service) AttachmentSlot() (release func(), err error) {
	select {
	case s.uploads <- struct{}{}:
		return func() { <-s.uploads }, nil
	default:
		return nil, &loa.BusyError{RetryAfter: 10 * time.Second,
			Message: fmt.Sprintf("Đang nhận %d tệp đính kèm cùng lúc (tối đa); hãy thử lại sau ít giây.", AttachmentUploads)}
	}
}

// attachmentTypes are the recordings and images an item may carry, recognised by
// their content, never by their name.
var attachmentTypes = []string{"audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "image/png", "image/jpeg", "image/webp"}

// File is a stored attachment's description.
type File struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"contentType"`
	Bytes       int64  `json:"bytes"`
}

// Attachment is an item's recording or image.
type Attachment struct {
	File
	Name string `json:"name"`
}

// Attach stores data as the attachment of the item's working version, replacing any
// earlier one.
func (s *Service) Attach(ctx context.Context, actor loa.Actor, id, name string, data []byte) (Item, error) {
	if len(data) == 0 {
		return Item{}, loa.Invalid("file", "the file is empty")
	}
	if len(data) > maxAttachment {
		return Item{}, loa.Invalid("file", fmt.Sprintf("the file has %d bytes; at most %d (20 MB)", len(data), maxAttachment))
	}
	mt := mimetype.Detect(data)
	if !mimetype.EqualsAny(mt.String(), attachmentTypes...) {
		return Item{}, loa.Invalid("file", fmt.Sprintf("the file is %s; attach an MP3, OGG or WAV recording or a PNG, JPEG or WebP image", mt.String()))
	}
	sum := sha256.Sum256(data)
	f := File{SHA256: hex.EncodeToString(sum[:]), ContentType: strings.Replace(mt.String(), "audio/x-wav", "audio/wav", 1), Bytes: int64(len(data))}
	if err := s.store.SaveFile(ctx, f, data); err != nil {
		return Item{}, err
	}
	// The attachment is part of the version: on an approved item a new one goes
	// through review like any other edit.
	return s.edit(ctx, actor, id, "attach", func(old Item) (Message, error) {
		m := old.Message
		m.Attachment = &Attachment{File: f, Name: strings.TrimSpace(name)}
		return m, nil
	})
}

// AttachmentOf returns the attachment of version n of an item (0: the version in
// force, else the working one) and its bytes.
func (s *Service) AttachmentOf(ctx context.Context, id string, n int) (Attachment, []byte, error) {
	v, err := s.VersionOf(ctx, id, n)
	if err != nil {
		return Attachment{}, nil, err
	}
	if v.Attachment == nil {
		return Attachment{}, nil, fmt.Errorf("%w: version %d of item %s has no attachment", loa.ErrNotFound, v.Number, id)
	}
	_, data, err := s.store.File(ctx, v.Attachment.SHA256)
	if err != nil {
		return Attachment{}, nil, err
	}
	return *v.Attachment, data, nil
}
