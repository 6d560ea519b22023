package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// discordCall is one REST request the bot made.
type discordCall struct {
	Method, Path string
	ID           string         // the id of the message it made, if it made one
	JSON         map[string]any // the JSON body, or multipart payload_json
	Raw          []byte
	Files        map[string][]byte // multipart files by field name
}

// fakeDiscord is Discord's REST API and gateway: HELLO, IDENTIFY, READY,
// heartbeats and dispatched events, and a CDN serving attachments.
type fakeDiscord struct {
	t        *testing.T
	srv      *httptest.Server
	appID    string
	botID    string
	files    map[string][]byte
	events   chan map[string]any
	mu       sync.Mutex
	cond     *sync.Cond
	calls    []discordCall
	ident    map[string]any
	seq      int
	msgSeq   int
	closing  chan struct{}
	channels map[string]string // raw JSON for GET /channels/{id}, by id (setChannel)
	refusals map[string]string // JSON error codes for "METHOD path prefix" (refuse)
	revoked  bool              // the gateway closes every connection with 4004 (revoke)
	conns    []*websocket.Conn // the gateway's connections
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{t: t, appID: "1100000000000000001", botID: "1100000000000000001", files: map[string][]byte{},
		events: make(chan map[string]any, 100), closing: make(chan struct{})}
	f.cond = sync.NewCond(&f.mu)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		close(f.closing)
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

func (f *fakeDiscord) URL() string { return f.srv.URL }

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/ws/":
		f.gateway(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/cdn/"):
		data, ok := f.files[strings.TrimPrefix(r.URL.Path, "/cdn/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
		return
	}
	if r.URL.Path != "/api/v9/gateway" && r.Header.Get("Authorization") != "Bot "+discordToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"401: Unauthorized","code":0}`)
		return
	}
	path := r.URL.Path[strings.Index(r.URL.Path[1:], "/")+1:] // drop /api
	path = path[strings.Index(path[1:], "/")+1:]              // drop /v9
	call := discordCall{Method: r.Method, Path: path, Files: map[string][]byte{}}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(32 << 20); err == nil {
			call.Raw = []byte(r.FormValue("payload_json"))
			for name, fhs := range r.MultipartForm.File {
				fh, _ := fhs[0].Open()
				call.Files[name], _ = io.ReadAll(fh)
				fh.Close()
			}
		}
	} else {
		call.Raw, _ = io.ReadAll(r.Body)
	}
	_ = json.Unmarshal(call.Raw, &call.JSON)
	f.mu.Lock()
	f.msgSeq++
	id := f.msgSeq
	call.ID = fmt.Sprint(1500000000000000000 + id)
	f.calls = append(f.calls, call)
	f.cond.Broadcast()
	channel := f.channels[strings.TrimPrefix(path, "/channels/")]
	refusal := f.refusalLocked(r.Method, path)
	unknown := r.Method == http.MethodPatch && strings.HasPrefix(path, "/webhooks/") && !f.editableLocked(path)
	f.mu.Unlock()
	if refusal != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"message":"refused","code":%s}`, refusal)
		return
	}
	if unknown {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown Message","code":10008}`)
		return
	}
	if r.Method == http.MethodGet && strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/messages") {
		f.listMessages(w, strings.TrimSuffix(path, "/messages"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && channel != "":
		fmt.Fprint(w, channel)
	case r.Method == http.MethodGet && path == "/gateway":
		fmt.Fprintf(w, `{"url":"ws://%s/ws"}`, r.Host)
	case r.Method == http.MethodPut && strings.HasSuffix(path, "/commands"):
		w.Write(call.Raw)
	case strings.HasPrefix(path, "/interactions/"), r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case path == "/users/@me/channels":
		fmt.Fprint(w, `{"id":"1300000000000000001","type":1}`)
	default:
		fmt.Fprintf(w, `{"id":"%d","channel_id":"1","content":"","timestamp":"%s"}`, 1500000000000000000+id, time.Now().Format(time.RFC3339))
	}
}

// refusalLocked is the error code refuse set for a call, if any. Callers
// hold f.mu.
func (f *fakeDiscord) refusalLocked(method, path string) string {
	refusal := ""
	for call, code := range f.refusals {
		if strings.HasPrefix(method+" "+path, call) {
			refusal = code
		}
	}
	return refusal
}

// editableLocked reports whether PATCH /webhooks/{app}/{token}/messages/{id}
// names a message that token may edit, as Discord documents it: @original,
// the interaction's response (a message, or a deferral of one: Edit
// Original Interaction Response), or the id of a follow-up posted with the
// token (Edit Followup Message). Callers hold f.mu.
func (f *fakeDiscord) editableLocked(path string) bool {
	parts := strings.Split(path, "/") // "", webhooks, app, token, messages, id
	if len(parts) != 6 || parts[4] != "messages" {
		return false
	}
	token, id := parts[3], parts[5]
	for _, c := range f.calls {
		if f.refusalLocked(c.Method, c.Path) != "" || c.Method != http.MethodPost {
			continue
		}
		if id == "@original" && strings.HasPrefix(c.Path, "/interactions/") && strings.HasSuffix(c.Path, "/"+token+"/callback") &&
			(c.JSON["type"] == float64(4) || c.JSON["type"] == float64(5)) {
			return true
		}
		if id != "@original" && c.Path == "/webhooks/"+parts[2]+"/"+token && c.ID == id {
			return true
		}
	}
	return false
}

// gateway speaks the gateway protocol to one client.
func (f *fakeDiscord) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	f.mu.Lock()
	f.conns = append(f.conns, c)
	f.mu.Unlock()
	var wmu sync.Mutex
	send := func(v any) error {
		wmu.Lock()
		defer wmu.Unlock()
		return c.WriteJSON(v)
	}
	send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 1000}})
	var ident map[string]any
	err = c.ReadJSON(&ident)
	f.mu.Lock()
	revoked := f.revoked
	f.mu.Unlock()
	if err == nil && revoked {
		// The token reset: IDENTIFY or RESUME closed with 4004.
		wmu.Lock()
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		wmu.Unlock()
		return
	}
	if err != nil || ident["op"] != float64(2) {
		f.t.Errorf("fake discord: expected IDENTIFY, got %v (%v)", ident, err)
		return
	}
	if d, _ := ident["d"].(map[string]any); d["token"] != "Bot "+discordToken {
		// As Discord does: close with 4004, "Authentication failed".
		wmu.Lock()
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		wmu.Unlock()
		return
	}
	f.mu.Lock()
	f.ident = ident
	f.seq++
	seq := f.seq
	f.mu.Unlock()
	send(map[string]any{"op": 0, "t": "READY", "s": seq, "d": map[string]any{
		"v": 9, "session_id": "fake-session", "guilds": []any{},
		"user":        map[string]any{"id": f.botID, "username": "Vigia", "bot": true},
		"application": map[string]any{"id": f.appID, "flags": 0},
	}})
	go func() {
		for {
			select {
			case <-f.closing:
				return
			case ev := <-f.events:
				f.mu.Lock()
				f.seq++
				seq := f.seq
				f.mu.Unlock()
				ev["op"], ev["s"] = 0, seq
				if send(ev) != nil {
					return
				}
			}
		}
	}()
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			return
		}
		if m["op"] == float64(1) {
			send(map[string]any{"op": 11})
		}
	}
}

// revoke is the bot's token reset while it runs: the gateway's
// connections are dropped, and every new one is closed with 4004.
func (f *fakeDiscord) revoke() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = true
	for _, c := range f.conns {
		_ = c.Close()
	}
}

// setChannel makes GET /channels/{id} answer the raw JSON ch.
func (f *fakeDiscord) setChannel(id, ch string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.channels == nil {
		f.channels = map[string]string{}
	}
	f.channels[id] = ch
}

// refuse makes calls starting with "METHOD path" fail with a 403 and
// Discord's JSON error code (50013 Missing Permissions, 50007 Cannot send
// messages to this user).
func (f *fakeDiscord) refuse(call string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refusals == nil {
		f.refusals = map[string]string{}
	}
	f.refusals[call] = fmt.Sprint(code)
}

// dispatch sends an event to the bot.
func (f *fakeDiscord) dispatch(t string, d map[string]any) {
	f.events <- map[string]any{"t": t, "d": d}
}

// waitCalls waits until n calls match pred.
func (f *fakeDiscord) waitCalls(n int, pred func(discordCall) bool) []discordCall {
	f.t.Helper()
	return waitMatching(f.t, f.cond, func() []discordCall { return f.calls }, n, pred, func(c discordCall) string { return c.Method + " " + c.Path + " " + string(c.Raw) }, "Discord")
}

func pathHas(method, part string) func(discordCall) bool {
	return func(c discordCall) bool { return c.Method == method && strings.Contains(c.Path, part) }
}

// listMessages answers GET /channels/{id}/messages, newest first: the
// messages the bot posted there and not deleted, and one by the user (the
// bot may not delete it in a DM).
func (f *fakeDiscord) listMessages(w http.ResponseWriter, channel string) {
	f.mu.Lock()
	deleted := map[string]bool{}
	for _, c := range f.calls {
		if c.Method == http.MethodDelete {
			deleted[c.Path[strings.LastIndex(c.Path, "/")+1:]] = true
		}
	}
	msgs := []string{fmt.Sprintf(`{"id":"1400000000000000001","channel_id":%q,"author":{"id":"412345678901234999","username":"u"},"content":"","timestamp":"2026-11-28T10:00:00Z"}`, channel[len("/channels/"):])}
	for _, c := range f.calls {
		if c.Method == http.MethodPost && c.Path == channel+"/messages" && !deleted[c.ID] {
			msgs = append([]string{fmt.Sprintf(`{"id":%q,"channel_id":%q,"author":{"id":%q,"username":"Vigia","bot":true},"content":"","timestamp":"2026-11-28T10:00:00Z"}`, c.ID, channel[len("/channels/"):], f.botID)}, msgs...)
		}
	}
	f.mu.Unlock()
	fmt.Fprint(w, "["+strings.Join(msgs, ",")+"]")
}
