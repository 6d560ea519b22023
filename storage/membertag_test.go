package storage_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// Two members must not show the same tag: four characters (20 bits) made
// two of a team of a hundred share one once in some 200 teams, and then
// the tag told nobody apart. These two members shared "BCWX". Five
// characters start with the four a history entry kept before, so old
// entries still read as the same member's.
func TestMemberTagsOfTwoMembersDiffer(t *testing.T) {
	a, b := storage.MemberTag("member-478"), storage.MemberTag("member-1428")
	if a == b {
		t.Fatalf("two members share the tag %s", a)
	}
	for _, tag := range []string{a, b} {
		if !strings.HasPrefix(tag, "BCWX") || len(tag) != 5 || strings.ContainsAny(tag, "01OI") {
			t.Errorf("tag %q: not five characters of the alphabet after the four-character tag kept before (BCWX)", tag)
		}
	}
}
