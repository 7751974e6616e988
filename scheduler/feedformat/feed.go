// Package feedformat writes a station's feed in the forms stations read: the API's
// JSON document, an RFC 5545 calendar for calendar apps and the printable page of
// one script. The scheduler gives the data; the caller says where each attachment
// is downloaded.
package feedformat

import (
	"time"

	"loa/scheduler"
)

// Feed is a station's feed as sent.
type Feed struct {
	Station     scheduler.FeedStation `json:"station"`
	GeneratedAt time.Time             `json:"generatedAt"`
	Items       []Item                `json:"items"`
}

// Item is one airing with its script, as sent.
type Item struct {
	AiringID        string      `json:"airingId"`
	Start           time.Time   `json:"start"`
	StartUTC        time.Time   `json:"startUtc"`
	End             time.Time   `json:"end"`
	DurationSeconds int         `json:"durationSeconds"`
	Title           string      `json:"title"`
	Kind            string      `json:"kind"`
	Language        string      `json:"language"`
	Groups          []string    `json:"groups"`
	Content         string      `json:"content"`
	ContentVersion  int         `json:"contentVersion"`
	Script          string      `json:"script"`
	ReadSeconds     int         `json:"readSeconds"`
	ContentHash     string      `json:"contentHash"` // SHA-256 of the script
	Attachment      *Attachment `json:"attachment"`
	Status          string      `json:"status"`
}

// Attachment is where a station downloads an item's recording or image.
type Attachment struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Of is f as sent, each attachment at the address link gives for its airing.
func Of(f scheduler.Feed, link func(airingID string) string) Feed {
	out := Feed{Station: f.Station, GeneratedAt: f.GeneratedAt}
	if f.Items != nil {
		out.Items = make([]Item, len(f.Items))
	}
	for i, it := range f.Items {
		out.Items[i] = Item{AiringID: it.AiringID, Start: it.Start, StartUTC: it.StartUTC, End: it.End,
			DurationSeconds: it.DurationSeconds, Title: it.Title, Kind: it.Kind, Language: it.Language, Groups: it.Groups,
			Content: it.Content, ContentVersion: it.ContentVersion, Script: it.Script, ReadSeconds: it.ReadSeconds,
			ContentHash: it.ContentHash, Status: it.Status}
		if a := it.Attachment; a != nil {
			out.Items[i].Attachment = &Attachment{URL: link(it.AiringID), SHA256: a.SHA256, Bytes: a.Bytes}
		}
	}
	return out
}
