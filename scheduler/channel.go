package scheduler

import "slices"

// How an outlet of a channel proves an airing happened.
const (
	ProofAired     = "aired"     // the station confirms it aired (broadcasts, sessions)
	ProofPublished = "published" // a planner records the published link (press, portal, social media)
)

// Channel is a kind of outlet (DESIGN §2).
type Channel struct {
	Code  string `json:"code"`
	Label string `json:"label"` // Vietnamese
	// Proof is how an airing on it is confirmed: aired or published.
	Proof string `json:"proof"`
	// Kinds are the content kinds a rule's pool takes on this channel when the pool
	// names none.
	Kinds []string `json:"kinds"`
}

// Channels are the channel kinds, in display order.
var Channels = []Channel{
	{"provincial_press", "Báo tỉnh", ProofPublished, []string{"article"}},
	{"provincial_tv_radio", "Đài Phát thanh - Truyền hình tỉnh", ProofAired, []string{"tv_script", "radio_script"}},
	{"portal", "Cổng thông tin điện tử", ProofPublished, []string{"article"}},
	{"district_station", "Đài truyền thanh cấp huyện", ProofAired, []string{"radio_script"}},
	{"commune_loudspeaker", "Hệ thống loa truyền thanh cấp xã", ProofAired, []string{"radio_script"}},
	{"social_media", "Mạng xã hội", ProofPublished, []string{"social_post"}},
	{"direct_session", "Truyền thông trực tiếp", ProofAired, []string{"talk_outline"}},
	{"school_session", "Truyền thông trong trường học", ProofAired, []string{"talk_outline"}},
	{"leaflet", "Tờ rơi, áp phích", ProofAired, []string{"leaflet"}},
}

// ChannelPress is the channel of the press calendar.
const ChannelPress = "provincial_press"

// channel returns the channel with code.
func channel(code string) (Channel, bool) {
	i := slices.IndexFunc(Channels, func(c Channel) bool { return c.Code == code })
	if i < 0 {
		return Channel{}, false
	}
	return Channels[i], true
}

func channelCodes() []string {
	codes := make([]string, len(Channels))
	for i, c := range Channels {
		codes[i] = c.Code
	}
	return codes
}
