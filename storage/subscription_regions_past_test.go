package storage

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/tips"
)

// A subscription made before regions ran across the marks of Indic
// scripts keeps its regions as they were read then ("दिल्ली" as "द लल",
// the marks lost): it still takes the warnings naming that region, as it
// did. One made since reads regions and warnings whole, and is not taken
// by the old pieces ("कल" is not in "कला", whose old pieces were "कल").
func TestSubscriptionOfOldRegionWordsStillTakesItsWarnings(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	old := func(chat, region string) {
		t.Helper()
		sub := Subscription{Key: s.subKey("telegram", chat), Platform: "telegram", Chat: chat, Language: "hi",
			Regions: []string{strings.Join(tips.PastWords(region), " ")}, Active: true}
		if err := s.saveSub(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	old("-1", "दिल्ली")
	old("-2", "কলকাতা")
	old("-3", "कल")
	for chat, region := range map[string]string{"-4": "दिल्ली", "-5": "कल"} {
		r, ok := NormalizeRegion(region)
		if !ok {
			t.Fatalf("region %q refused", region)
		}
		if err := s.Subscribe(ctx, Subscription{Platform: "telegram", Chat: chat, Language: "hi", Regions: []string{r}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(tips.PastWords("दिल्ली"), " "); got != "द लल" {
		t.Fatalf("old region %q: the test is not of old regions", got)
	}
	chat := map[string]string{}
	subs, err := s.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		chat[sub.Key] = sub.Chat
	}
	for text, want := range map[string][]string{
		"दिल्ली में फर्जी नाका": {"-1", "-4"},
		"কলকাতা বন্দরে অস্ত্র":  {"-2"},
		"कल रात गोलीबारी":       {"-3", "-5"},
		"कला केंद्र में धमकी":   {"-3"}, // as before for the old one
	} {
		keys, _, err := s.reach(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range keys {
			got = append(got, chat[k])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: taken by %v, want %v", text, got, want)
		}
	}
}
