package discord

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// globalLimitAPI is a Discord REST API whose GETs (another route's
// requests) draw a global 429 of limit seconds, and which takes and
// counts every other request.
type globalLimitAPI struct {
	limit int

	mu    sync.Mutex
	taken int
}

func (g *globalLimitAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet { // another route, drawing a global 429
		w.Header().Set("X-RateLimit-Global", "true")
		w.Header().Set("X-RateLimit-Reset-After", fmt.Sprint(g.limit))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"message":"You are being rate limited.","retry_after":%d,"global":true}`, g.limit)
		return
	}
	g.mu.Lock()
	g.taken++
	g.mu.Unlock()
	if r.Method == http.MethodDelete {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	fmt.Fprint(w, `{"id":"1","channel_id":"123","content":""}`)
}

// requestsTaken is how many requests other than GETs were taken.
func (g *globalLimitAPI) requestsTaken() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.taken
}

// drawGlobalLimit has another route's request draw the API's global
// limit, which discordgo then holds every bucket to.
func drawGlobalLimit(t *testing.T, a *Adapter) {
	t.Helper()
	if _, err := a.s.ChannelMessages("999", 1, "", "", ""); err == nil {
		t.Error("the other route's request was not rate limited")
	}
}
