package storage

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
)

// The compare-and-set scripts never overwrite a value that changed since
// it was read.
func TestRekeySwapsOnlyUnchangedValues(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client()
	rdb.Set(ctx, "s", "written meanwhile", 0)
	rdb.HSet(ctx, "h", "a", "old a", "b", "written meanwhile")
	if n, err := swapString.Run(ctx, rdb, []string{"s"}, "old", "new").Int(); err != nil || n != 0 {
		t.Fatalf("string swap: %d %v", n, err)
	}
	if n, err := swapFields.Run(ctx, rdb, []string{"h"}, "a", "old a", "new a", "b", "old b", "new b").Int(); err != nil || n != 0 {
		t.Fatalf("hash swap: %d %v", n, err)
	}
	if v := rdb.Get(ctx, "s").Val(); v != "written meanwhile" {
		t.Fatalf("string overwritten: %q", v)
	}
	if v := rdb.HGetAll(ctx, "h").Val(); v["a"] != "old a" || v["b"] != "written meanwhile" {
		t.Fatalf("hash overwritten: %v", v)
	}
	if n, err := swapFields.Run(ctx, rdb, []string{"h"}, "a", "old a", "new a").Int(); err != nil || n != 1 || rdb.HGet(ctx, "h", "a").Val() != "new a" {
		t.Fatalf("unchanged field not swapped: %d %v", n, err)
	}
	if n, err := swapString.Run(ctx, rdb, []string{"gone"}, "old", "new").Int(); err != nil || n != 0 || rdb.Exists(ctx, "gone").Val() != 0 {
		t.Fatalf("a deleted value came back: %d %v", n, err)
	}
}

// What a rebuilt stream's entries were is counted for those still there
// when its copy took its place, whichever kind of entry was listed.
func TestCountCopiedLeavesOutWhatWasGone(t *testing.T) {
	kinds := map[string]RekeyReport{
		"1": {Resealed: 1}, "2": {Resealed: 1}, "3": {Resealed: 1},
		"4": {Current: 1}, "5": {Unreadable: 1},
	}
	// 1 and 4 gone: 3 left. Listed the others (4, 5): 4 among them.
	if got := countCopied(kinds, 3, []any{"4"}, false); got != (RekeyReport{Resealed: 2, Unreadable: 1}) {
		t.Errorf("others listed: %+v", got)
	}
	// Listed the re-sealed (1, 2, 3): 1 among them; the other gone is
	// counted off the current ones first.
	if got := countCopied(kinds, 3, []any{"1"}, true); got != (RekeyReport{Resealed: 2, Unreadable: 1}) {
		t.Errorf("re-sealed listed: %+v", got)
	}
}
