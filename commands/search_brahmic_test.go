package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A tip in Hindi or Bengali is found by /search with any of its words,
// vowel signs and all: they cut words into pieces before, and most of
// a Hindi or Bengali tip's words were found by no search.
func TestSearchFindsHindiAndBengaliWords(t *testing.T) {
	tm := newTeam(t)
	tm.report("7101", "मेरे भाई को धमकी मिली है", "")
	tm.report("7102", "আমার ভাইকে হুমকি দেওয়া হয়েছে", "")
	for word, want := range map[string]string{
		"भाई": "#1 ", "धमकी": "#1 ", "मिली": "#1 ", "भाई मिली": "#1 ",
		"ভাইকে": "#2 ", "হুমকি": "#2 ", "দেওয়া": "#2 ", "হয়েছে": "#2 ",
	} {
		text := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: word})[0].Text
		if !strings.Contains(text, want) || strings.Count(text, "#") != 1 {
			t.Errorf("/search %s:\n%s", word, text)
		}
	}
}

// Hindi "मेरा" ("my") and "मरा" ("died") differ by a nonspacing vowel
// sign only: /search for one does not find a tip with the other.
func TestSearchTellsHindiWordsByTheirVowelSigns(t *testing.T) {
	tm := newTeam(t)
	tm.report("7111", "मेरा भाई घर नहीं आया", "")
	tm.report("7112", "वह आदमी मरा हुआ मिला", "")
	for word, want := range map[string]string{"मेरा": "#1 ", "मरा": "#2 "} {
		text := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: word})[0].Text
		if !strings.Contains(text, want) || strings.Count(text, "#") != 1 {
			t.Errorf("/search %s:\n%s", word, text)
		}
	}
}
