package commands_test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A word search reaches only the newest tips holding its words that a
// search examines: past them, the reply says so, in the investigator's
// language, and how to reach older ones, rather than just "no tip".
func TestSearchByWordsSaysHowFarItLooked(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	tm.report("7111", "venden armas en la esquina", tips.Weapons) // #1
	search := func(lang, args string) string {
		t.Helper()
		return tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args, Language: lang})[0].Text
	}
	looked := func(lang string) string {
		return tm.msg.Localize(lang, "search_words_examined_cut", nil, storage.MaxExamined)
	}
	if s := search("en", "armas"); !strings.Contains(s, "#1 ") || strings.Contains(s, looked("en")) {
		t.Fatalf("one tip: %s", s)
	}
	// Then, in every word's postings, as many newer tips as a search
	// examines (gone since: none opens).
	c := tm.srv.Client()
	keys, err := c.Keys(ctx, "*:ix:t:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no posting strings: %v %v", keys, err)
	}
	var nums []byte
	for i := range storage.MaxExamined {
		nums = binary.BigEndian.AppendUint32(nums, 1<<30+uint32(i))
	}
	pipe := c.Pipeline()
	for _, k := range keys {
		pipe.Append(ctx, k, string(nums))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for _, args := range []string{"armas", "armas esquina category:weapons"} {
			if s := search(lang, args); !strings.Contains(s, tm.msg.Localize(lang, "search_empty", nil)) || !strings.Contains(s, looked(lang)) {
				t.Errorf("/search %s (%s) past what a search examines: %s", args, lang, s)
			}
		}
	}
}
