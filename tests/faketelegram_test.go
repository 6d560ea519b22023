package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sent is one call the bot made to the fake Bot API.
type sent struct {
	Method  string
	Fields  map[string]string
	Files   map[string]string // multipart file parts: field -> content
	Time    time.Time
	Content string // Content-Type of the request
}

// fakeTelegram is a Bot API server: it serves getMe and getUpdates, and
// records every other method. Like the real one it accepts multipart form
// requests (as go-telegram/bot sends them) and urlencoded ones.
type fakeTelegram struct {
	t     *testing.T
	srv   *httptest.Server
	token string

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []json.RawMessage // updates not yet confirmed
	ids     []int64
	forced  []bool // delivered once even if already confirmed
	calls   []sent
	offsets []int64
	msgID   int

	admins    map[string]bool          // user ids that administer every group
	forbidden map[string]bool          // chats that removed the bot
	hold      map[string]chan struct{} // chats whose sendMessage waits
	files     map[string][]byte        // file_id -> content, for getFile
	limits    *floodLimits             // nil: no flood limits (the default)
	revoked   atomic.Bool              // the token was revoked: every call is 401
	echo      map[string]int           // chats whose messages are refused with this code and a description quoting them
}

func newFakeTelegram(t *testing.T, token string) *fakeTelegram {
	f := &fakeTelegram{t: t, token: token}
	f.cond = sync.NewCond(&f.mu)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.mu.Lock()
		f.cond.Broadcast()
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

func (f *fakeTelegram) URL() string { return f.srv.URL }

// addFile makes content downloadable as file id.
func (f *fakeTelegram) addFile(id string, content []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string][]byte{}
	}
	f.files[id] = content
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	if path, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+f.token+"/documents/"); ok {
		f.mu.Lock()
		b, ok := f.files[path]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Write(b)
		return
	}
	prefix := "/bot" + f.token + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) || f.revoked.Load() {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	call := sent{Method: method, Fields: map[string]string{}, Files: map[string]string{}, Time: time.Now(), Content: r.Header.Get("Content-Type")}
	if strings.HasPrefix(call.Content, "multipart/form-data") {
		// A method without parameters comes as an empty body, which the
		// real Bot API accepts.
		if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
			f.t.Errorf("fake telegram: %s: bad multipart: %v", method, err)
		} else if r.MultipartForm != nil {
			for k, v := range r.MultipartForm.Value {
				call.Fields[k] = v[0]
			}
			for k := range r.MultipartForm.File {
				call.Files[k] = "(file)"
			}
		}
	} else if err := r.ParseForm(); err == nil {
		for k, v := range r.PostForm {
			call.Fields[k] = v[0]
		}
	}
	switch method {
	case "getMe":
		reply(w, `{"id":999000,"is_bot":true,"first_name":"Vigía","username":"VigiaBot"}`)
		return
	case "getUpdates":
		f.getUpdates(w, r, call)
		return
	case "getFile":
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.cond.Broadcast()
		f.mu.Unlock()
		id := call.Fields["file_id"]
		reply(w, fmt.Sprintf(`{"file_id":%q,"file_unique_id":"u","file_path":"documents/%s"}`, id, id))
		return
	case "getChatMember":
		status := "member"
		f.mu.Lock()
		if f.admins[call.Fields["user_id"]] {
			status = "administrator"
		}
		f.mu.Unlock()
		reply(w, fmt.Sprintf(`{"status":%q,"user":{"id":%s,"is_bot":false,"first_name":"x"}}`, status, orZero(call.Fields["user_id"])))
		return
	}
	f.mu.Lock()
	gone, hold := f.forbidden[call.Fields["chat_id"]], f.hold[call.Fields["chat_id"]]
	retryAfter := 0
	if f.limits != nil && isMessageMethod(method) {
		retryAfter = f.limits.admit(call.Fields["chat_id"], time.Now())
	}
	f.mu.Unlock()
	if retryAfter > 0 {
		tooMany(w, retryAfter)
		return
	}
	if code := f.echoCode(call.Fields["chat_id"]); code != 0 && isMessageMethod(method) {
		f.refuseEchoing(w, code, call)
		return
	}
	if gone && method == "sendMessage" {
		fmt.Fprint(w, `{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the group chat"}`)
		return
	}
	f.mu.Lock()
	f.msgID++
	id := f.msgID
	call.Fields["_message_id"] = strconv.Itoa(id)
	f.calls = append(f.calls, call)
	f.cond.Broadcast()
	f.mu.Unlock()
	if hold != nil && method == "sendMessage" {
		<-hold // recorded, but the answer never comes back (the bot dies first)
		return
	}
	switch method {
	case "deleteWebhook", "setWebhook", "answerCallbackQuery", "deleteMessage", "deleteMessages", "setMyCommands":
		reply(w, `true`)
	default:
		chat := call.Fields["chat_id"]
		reply(w, fmt.Sprintf(`{"message_id":%d,"date":%d,"chat":{"id":%s,"type":"private"}}`, id, time.Now().Unix(), orZero(chat)))
	}
}

func (f *fakeTelegram) echoCode(chat string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.echo[chat]
}

// refuseEchoing records call and refuses it with code and a description
// that quotes the chat id and the text, as an API in front of Telegram
// (or Telegram itself, for a tag it cannot parse) might.
func (f *fakeTelegram) refuseEchoing(w http.ResponseWriter, code int, call sent) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.cond.Broadcast()
	f.mu.Unlock()
	desc := fmt.Sprintf("%s: chat %s refused: %q", http.StatusText(code), call.Fields["chat_id"], call.Fields["text"]+call.Fields["caption"])
	body, _ := json.Marshal(map[string]any{"ok": false, "error_code": code, "description": desc, "parameters": map[string]any{"retry_after": 0}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body)
}

func orZero(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return "0"
	}
	return s
}

func reply(w http.ResponseWriter, result string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"result":%s}`, result)
}

// getUpdates drops confirmed updates (id < offset) and long-polls for more.
func (f *fakeTelegram) getUpdates(w http.ResponseWriter, r *http.Request, call sent) {
	offset, _ := strconv.ParseInt(call.Fields["offset"], 10, 64)
	timeout, _ := strconv.Atoi(call.Fields["timeout"])
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offsets = append(f.offsets, offset)
	for {
		if f.revoked.Load() { // (revoked while this poll waited)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		var keepQ []json.RawMessage
		var keepI []int64
		var keepF []bool
		for i, id := range f.ids {
			if id >= offset || f.forced[i] {
				keepQ, keepI, keepF = append(keepQ, f.queue[i]), append(keepI, id), append(keepF, false)
			}
		}
		f.queue, f.ids, f.forced = keepQ, keepI, keepF
		if len(f.queue) > 0 || time.Now().After(deadline) || r.Context().Err() != nil {
			break
		}
		// Wake up periodically to honour the deadline.
		go func() {
			time.Sleep(100 * time.Millisecond)
			f.mu.Lock()
			f.cond.Broadcast()
			f.mu.Unlock()
		}()
		f.cond.Wait()
	}
	out, _ := json.Marshal(f.queue)
	reply(w, string(out))
}

// revoke makes the token invalid, as /revoke in @BotFather does: every
// call, a poll already waiting included, is answered 401.
func (f *fakeTelegram) revoke() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked.Store(true)
	f.cond.Broadcast()
}

// push queues an update.
func (f *fakeTelegram) push(update map[string]any) { f.queueUpdate(update, false) }

// redeliver queues an update again even though the bot confirmed it, as
// Telegram does when a crash kept the confirmation from reaching it.
func (f *fakeTelegram) redeliver(update map[string]any) { f.queueUpdate(update, true) }

func (f *fakeTelegram) queueUpdate(update map[string]any, forced bool) {
	raw, err := json.Marshal(update)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, raw)
	f.ids = append(f.ids, int64(update["update_id"].(int)))
	f.forced = append(f.forced, forced)
	f.cond.Broadcast()
}

// waitCalls waits until at least n recorded calls match pred, and returns them.
func (f *fakeTelegram) waitCalls(n int, pred func(sent) bool) []sent {
	f.t.Helper()
	return waitMatching(f.t, f.cond, func() []sent { return f.calls }, n, pred, func(c sent) string { return c.Method + " " + c.Fields["chat_id"] + " " + c.Fields["text"] }, "Telegram")
}

// messagesTo returns a predicate for sendMessage calls to chat.
func messagesTo(chat string) func(sent) bool {
	return func(c sent) bool { return c.Method == "sendMessage" && c.Fields["chat_id"] == chat }
}

// confirmedBeyond reports whether the bot has asked for updates after id,
// which confirms id to Telegram.
func (f *fakeTelegram) confirmedBeyond(id int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.offsets {
		if o > id {
			return true
		}
	}
	return false
}
