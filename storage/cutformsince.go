package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// errFormsNotATime is cutFormsSince's error when indexFormsSince holds
// something else than a time (a key written by hand, or by something
// else than Vigía): the indexer then folds and sifts as if the retention
// had not passed, and the bot starts all the same.
var errFormsNotATime = errors.New("index forms: not a time")

// cutFormsSince returns when handles and hashtags were first indexed as
// read now (indexFormsSince, unix ms): the first start of a version that
// does (Init), or this call if none wrote it. Read once, then known.
func (s *Store) cutFormsSince(ctx context.Context) (int64, error) {
	if v := s.formsSince.Load(); v != 0 {
		return v, nil
	}
	k := s.k.indexFormsSince()
	if err := s.rdb.SetNX(ctx, k, s.now().UnixMilli(), 0).Err(); err != nil {
		return 0, fmt.Errorf("index forms: %w", err)
	}
	v, err := s.rdb.Get(ctx, k).Int64()
	var (
		rerr redis.Error
		nerr *strconv.NumError
	)
	switch {
	case err == nil && v <= 0, errors.As(err, &nerr),
		errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), "WRONGTYPE"):
		return 0, errFormsNotATime
	case err != nil:
		return 0, fmt.Errorf("index forms: %w", err)
	}
	s.formsSince.Store(v)
	return v, nil
}

// cutFormsLive says whether sets may still hold tips indexed under an old
// cut form of a handle or hashtag (before they kept their marks): until
// the retention has passed since handles and hashtags were first indexed
// as read now. Then the indexer no longer folds past forms nor sifts cut
// forms (foldPastForms, siftCutForm): every tip they would move is gone.
// If that moment cannot be read, they may.
func (s *Store) cutFormsLive(ctx context.Context) bool {
	since, err := s.cutFormsSince(ctx)
	return err != nil || s.now().UnixMilli()-since < s.retention.Milliseconds()
}

// mayBeUnderPastForms says whether a tip created at created, or at any
// time since, may be a member of the sets of the forms its handles and
// hashtags were cut to before they kept their marks, or hold one of their
// alert marks (tips.PastEntities): if it was created before they were
// first indexed as read now (cutFormsSince), whenever it is looked at;
// or while the retention has not passed since then (cutFormsLive: what a
// process of an earlier version still running then indexed). Purge,
// /forget and /entity look such forms up only then: a tip created since
// was never indexed under them, and /entity lists no tip older than the
// retention. If that moment cannot be read, it may.
func (s *Store) mayBeUnderPastForms(ctx context.Context, created time.Time) bool {
	since, err := s.cutFormsSince(ctx)
	return err != nil || created.UnixMilli() <= since || s.now().UnixMilli()-since < s.retention.Milliseconds()
}
