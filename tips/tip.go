package tips

import (
	"math"
	"strings"
	"time"
)

// Category is what a tip is about. The reporter may pick one before sending.
type Category string

// The categories a reporter can choose from, in the order they are offered.
const (
	Extortion   Category = "extortion"
	Drugs       Category = "drugs"
	Weapons     Category = "weapons"
	Trafficking Category = "trafficking"
	Violence    Category = "violence"
	Corruption  Category = "corruption"
	Missing     Category = "missing"
	Other       Category = "other"
)

// Categories lists every category in display order.
var Categories = []Category{Extortion, Drugs, Weapons, Trafficking, Violence, Corruption, Missing, Other}

// ParseCategory returns the category named s, or false if there is none.
func ParseCategory(s string) (Category, bool) {
	for _, c := range Categories {
		if string(c) == s {
			return c, true
		}
	}
	return "", false
}

// Status is where a tip stands in triage.
type Status string

// Triage statuses. A reporter sees only their public form (PublicStatus).
const (
	StatusNew       Status = "new"
	StatusClaimed   Status = "claimed"
	StatusVerified  Status = "verified"
	StatusDismissed Status = "dismissed"
	StatusEscalated Status = "escalated"
	StatusDuplicate Status = "duplicate"
)

// PublicStatus is what a reporter may learn about their tip: received,
// being looked at, verified, or closed. It does not say that a tip was
// dismissed or passed on (escalated), which could only worry or endanger.
func (s Status) PublicStatus() string {
	switch s {
	case StatusNew:
		return "received"
	case StatusClaimed, StatusEscalated:
		return "in_review"
	case StatusVerified:
		return "confirmed"
	default:
		return "closed"
	}
}

// AttachmentKind says how an attachment is shown again.
type AttachmentKind string

// Attachment kinds.
const (
	Photo    AttachmentKind = "photo"
	Document AttachmentKind = "document"
	Video    AttachmentKind = "video"
	Audio    AttachmentKind = "audio"
	Voice    AttachmentKind = "voice"
)

// Stored is the Attachment.Platform of a file Vigía keeps itself (sealed in
// storage) rather than by a platform's reference; any adapter can show it.
const Stored = "stored"

// FileName is the neutral name an uploaded copy gets: the original name is
// never kept.
func (k AttachmentKind) FileName() string {
	switch k {
	case Photo:
		return "photo.jpg"
	case Video:
		return "video.mp4"
	case Audio, Voice:
		return "audio.ogg"
	}
	return "file.bin"
}

// FileName names a file of kind k with the extension its content shows
// (a PDF sent as a document is file.pdf, not file.bin), so investigators'
// apps open it; the name the reporter gave it is never kept. Content of no
// known type keeps the kind's name.
func FileName(k AttachmentKind, data []byte) string {
	base, _, _ := strings.Cut(k.FileName(), ".")
	for _, m := range fileMagic {
		if len(data) >= m.at+len(m.magic) && string(data[m.at:m.at+len(m.magic)]) == m.magic && (m.and == "" || (len(data) >= 12 && string(data[8:12]) == m.and)) {
			return base + m.ext
		}
	}
	return k.FileName()
}

var fileMagic = []struct {
	at         int
	magic, and string // and: bytes 8–12 too (RIFF containers)
	ext        string
}{
	{0, "\xff\xd8\xff", "", ".jpg"},
	{0, "\x89PNG\r\n\x1a\n", "", ".png"},
	{0, "GIF8", "", ".gif"},
	{0, "RIFF", "WEBP", ".webp"},
	{0, "RIFF", "WAVE", ".wav"},
	{0, "%PDF-", "", ".pdf"},
	// ISO media files by their brand: HEIC photos and M4A audio are
	// "ftyp" files too, and are no MP4s.
	{4, "ftypqt", "", ".mov"},
	{4, "ftypheic", "", ".heic"},
	{4, "ftypheix", "", ".heic"},
	{4, "ftypmif1", "", ".heic"},
	{4, "ftypavif", "", ".avif"},
	{4, "ftypM4A ", "", ".m4a"},
	{4, "ftyp3gp", "", ".3gp"},
	{4, "ftypisom", "", ".mp4"},
	{4, "ftypiso2", "", ".mp4"},
	{4, "ftypmp41", "", ".mp4"},
	{4, "ftypmp42", "", ".mp4"},
	{4, "ftypavc1", "", ".mp4"},
	{4, "ftypdash", "", ".mp4"},
	{0, "OggS", "", ".ogg"},
	{0, "ID3", "", ".mp3"},
	{0, "\x1aE\xdf\xa3", "", ".webm"},
}

// Attachment is a file the reporter sent. FileRef is the platform's own
// reference (a Telegram file_id), or for Stored files the storage
// reference; it is sealed with the tip.
type Attachment struct {
	Platform string         `json:"p"`
	Kind     AttachmentKind `json:"k"`
	FileRef  string         `json:"f"`
	Name     string         `json:"n,omitempty"`
}

// Location is a point, coarsened before it is stored.
type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Coarsen rounds a location to two decimals, about 1.1 km of latitude, so a
// tip never pins the reporter's own doorstep.
func Coarsen(lat, lon float64) Location {
	r := func(v float64) float64 { return math.Round(v*100) / 100 }
	return Location{Lat: r(lat), Lon: r(lon)}
}

// Valid reports whether the location is a point on Earth.
func (l Location) Valid() bool {
	return l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 180 &&
		!math.IsNaN(l.Lat) && !math.IsNaN(l.Lon)
}

// Forward records where a forwarded post came from. Only public sources are
// named: a channel or group with a username. A forwarded person, or a
// private chat, is recorded only as "not named".
type Forward struct {
	Title    string `json:"t,omitempty"`
	Username string `json:"u,omitempty"`
	PostID   int    `json:"m,omitempty"`
}

// Named reports whether the origin is a public, named source.
func (f Forward) Named() bool { return f.Username != "" }

// Part is one message the reporter added to a draft.
type Part struct {
	Text       string      `json:"x,omitempty"`
	Attachment *Attachment `json:"a,omitempty"`
	Location   *Location   `json:"l,omitempty"`
	Forward    *Forward    `json:"f,omitempty"`
}

// Content is everything a tip says, sealed as one value in storage.
type Content struct {
	Parts    []Part `json:"p"`
	Language string `json:"lang,omitempty"`
}

// Text joins the text of every part, one paragraph each.
func (c Content) Text() string {
	var out []byte
	for _, p := range c.Parts {
		if p.Text == "" {
			continue
		}
		if len(out) > 0 {
			out = append(out, '\n', '\n')
		}
		out = append(out, p.Text...)
	}
	return string(out)
}

// Priority orders tips in triage.
type Priority string

// Priorities, lowest first.
const (
	Low    Priority = "low"
	Normal Priority = "normal"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{Low, Normal, High, Urgent}

// ParsePriority returns the priority named s, or false.
func ParsePriority(s string) (Priority, bool) {
	for _, p := range Priorities {
		if string(p) == s {
			return p, true
		}
	}
	return "", false
}

// Closed reports whether a status ends triage.
func (s Status) Closed() bool {
	return s == StatusVerified || s == StatusDismissed || s == StatusDuplicate || s == StatusEscalated
}

// EntryKind says what a history entry records.
type EntryKind string

// History entry kinds.
const (
	EntryClaim    EntryKind = "claim"
	EntryStatus   EntryKind = "status"
	EntryNote     EntryKind = "note"
	EntryQuestion EntryKind = "question"
	EntryAnswer   EntryKind = "answer"
	// A community warning's publication: an approval of its text (when
	// more than one is needed), the approval that published it, and its
	// retraction. The first two carry the text approved.
	EntryApproved  EntryKind = "approved"
	EntryPublished EntryKind = "published"
	EntryRetracted EntryKind = "retracted"
)

// Entry is one line of a tip's history. Who names an investigator; a
// reporter's answer has no Who.
type Entry struct {
	Time time.Time `json:"t"`
	Who  string    `json:"w,omitempty"`
	// Tag is the member tag of Who (storage.MemberTag): names can be
	// alike, tags tell members apart. "" for entries made before tags.
	Tag  string    `json:"g,omitempty"`
	Kind EntryKind `json:"k"`
	Text string    `json:"x,omitempty"`
}

// Tip is a stored tip as investigators read it.
type Tip struct {
	ID       string
	Created  time.Time
	Category Category
	Status   Status
	Priority Priority
	Labels   []string
	// DuplicateOf is the tip this one duplicates, for StatusDuplicate.
	DuplicateOf string
	// Decision numbers the last triage decision recorded, Status's: the
	// later recorded, the higher (0 before any, or before they were
	// numbered).
	Decision int64
	// ClaimedBy is the team member working on it, if any.
	ClaimedBy string
	// ClaimedByTag is their member tag ("" for a claim made before tags).
	ClaimedByTag string
	ClaimedAt    time.Time
	// FollowUp is true while investigators may ask the reporter questions.
	FollowUp bool
	// OpenQuestion is a question the reporter has not answered yet.
	OpenQuestion string
	// Suggested is the classifier's category and Confidence its confidence
	// in percent; NearDuplicate is a recent, very similar tip.
	Suggested     Category
	Confidence    int
	ReporterChose bool
	NearDuplicate string
	Content       Content
	// AcrossCut is true when the receipt codes running from one of its
	// parts into the next were cut when it was stored (CutReceiptsAcross);
	// a tip stored before has them cut when it is shown.
	AcrossCut bool
	History   []Entry
	// Warning is true for a community warning (/warn): once reviewed, it
	// may be published to the subscribed communities.
	Warning bool
}
