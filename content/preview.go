package content

import (
	"context"
	"fmt"
	"slices"
	"time"

	"loa"
	"loa/campaigns"
)

// Rendered is a version of an item made ready to show or to read on air.
type Rendered struct {
	Item        string    `json:"item"`
	Version     int       `json:"version"`
	Format      string    `json:"format"` // html or text
	Content     string    `json:"content"`
	ReadSeconds int       `json:"readSeconds"`
	SlotSeconds int       `json:"slotSeconds"`
	Warnings    []Warning `json:"warnings"`
}

// RenderRequest says what to render: a version (0: the one in force, else the
// working one) in a format, with placeholders filled from Fill when set.
type RenderRequest struct {
	Version int
	Format  string
	Fill    *Fields
}

// Render renders a version of an item as sanitised HTML or read-aloud text. The
// reading time comes from the read-aloud text at the configured speech rate; a
// script longer than its slot is warned about.
func (s *Service) Render(ctx context.Context, id string, r RenderRequest) (Rendered, error) {
	if r.Format != "html" && r.Format != "text" {
		return Rendered{}, loa.Invalid("format", "format must be html or text")
	}
	v, err := s.VersionOf(ctx, id, r.Version)
	if err != nil {
		return Rendered{}, err
	}
	body, err := fill(v.Body, r.Fill)
	if err != nil {
		return Rendered{}, err
	}
	text := ReadAloud(body)
	out := Rendered{Item: id, Version: v.Number, Format: r.Format, ReadSeconds: ReadSeconds(text, s.opts.SyllablesPerMinute),
		SlotSeconds: v.SlotSeconds, Warnings: []Warning{}}
	if r.Format == "html" {
		out.Content = RenderHTML(body)
	} else {
		out.Content = text
	}
	if (v.Kind == "radio_script" || v.Kind == "tv_script") && v.SlotSeconds > 0 && out.ReadSeconds > v.SlotSeconds {
		out.Warnings = append(out.Warnings, Warning{Code: "over_slot",
			Message: fmt.Sprintf("reading takes about %d s, longer than the %d s slot", out.ReadSeconds, v.SlotSeconds)})
	}
	return out, nil
}

// Preview is a message not yet saved as the editor previews it while it is written:
// its HTML and read-aloud text with the placeholders filled, how long reading takes
// against its slot, and the warnings submitting it would give.
type Preview struct {
	HTML        string    `json:"html"`
	Text        string    `json:"text"`
	ReadSeconds int       `json:"readSeconds"`
	SlotSeconds int       `json:"slotSeconds"`
	Warnings    []Warning `json:"warnings"`
}

// PreviewMessage renders m with its placeholders filled from f and runs the submit
// checks on it. A body that could not be saved (too long, or placeholders that
// are not allowed) is refused on "body", as saving it would be.
func (s *Service) PreviewMessage(m Message, f Fields) (Preview, error) {
	if msg := bodyProblem(m.Body); msg != "" {
		return Preview{}, loa.Invalid("body", msg)
	}
	body, err := FillTemplate(m.Body, f)
	if err != nil {
		return Preview{}, err
	}
	text := ReadAloud(body)
	return Preview{HTML: RenderHTML(body), Text: text, ReadSeconds: ReadSeconds(text, s.opts.SyllablesPerMinute),
		SlotSeconds: m.SlotSeconds, Warnings: s.Check(m)}, nil
}

// fill fills a body's placeholders from f, when set.
func fill(body string, f *Fields) (string, error) {
	if f == nil {
		return body, nil
	}
	out, err := FillTemplate(body, *f)
	if err != nil {
		return "", fmt.Errorf("%w: %v", loa.ErrInvalid, err)
	}
	return out, nil
}

// Script is what a station reads on air from version v with its placeholders
// filled from f: the read-aloud text, and how long reading it takes.
func (s *Service) Script(v Version, f Fields) (string, int, error) {
	body, err := fill(v.Body, &f)
	if err != nil {
		return "", 0, err
	}
	text := ReadAloud(body)
	return text, ReadSeconds(text, s.opts.SyllablesPerMinute), nil
}

// FieldsAt are the placeholder values at an org unit on date (zero: today): its
// commune and district as "type name" (empty above those levels), the station's
// name (empty: one made from the commune) and the configured hotline.
func (s *Service) FieldsAt(u campaigns.OrgUnitDetail, station string, date time.Time) Fields {
	commune, district := "", ""
	for _, p := range append(slices.Clone(u.Parents), u.OrgUnit) {
		switch p.Level {
		case "district":
			district = p.Type + " " + p.Name
		case "commune":
			commune = p.Type + " " + p.Name
		}
	}
	f := s.PreviewFields(commune, district, date)
	if station != "" {
		f.Station = station
	}
	return f
}

// PreviewFields are the placeholder values for a preview in a commune: its name, its
// district, a station name made from it, the date (zero: today in the deployment's
// zone) and the configured hotline.
func (s *Service) PreviewFields(commune, district string, date time.Time) Fields {
	if date.IsZero() {
		date = s.now().In(s.opts.Zone)
	}
	return Fields{Commune: commune, District: district, Station: "Đài truyền thanh " + commune,
		Date: date.Format("02/01/2006"), Hotline: s.opts.Hotline}
}
