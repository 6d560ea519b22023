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
