package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot/models"
)

// call is one method the adapter called on the fake Bot API.
type call struct {
	method string
	fields map[string]string
}

// recordingAPI is a fake Bot API that answers getMe as VigiaBot (id 42),
// every other method with success, and records the calls.
type recordingAPI struct {
	mu    sync.Mutex
	calls []call
	msgID int
}

func (f *recordingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/file/bot") {
		w.Write(tinyJPEG) // a photo's download
		return
	}
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	fields := map[string]string{}
	if err := r.ParseMultipartForm(1 << 22); err == nil {
		for k, v := range r.MultipartForm.Value {
			fields[k] = v[0]
		}
	} else if r.ParseForm() == nil {
		for k, v := range r.PostForm {
			fields[k] = v[0]
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "getMe":
		fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		return
	case "getFile":
		fmt.Fprintf(w, `{"ok":true,"result":{"file_id":%q,"file_unique_id":"u","file_size":%d,"file_path":"photos/p.jpg"}}`, fields["file_id"], len(tinyJPEG))
		return
	case "getChatMember":
		fmt.Fprint(w, `{"ok":true,"result":{"status":"member","user":{"id":5,"is_bot":false,"first_name":"x"}}}`)
		return
	case "deleteMessage", "deleteMessages", "answerCallbackQuery", "setMyCommands", "deleteWebhook":
		f.calls = append(f.calls, call{method, fields})
		fmt.Fprint(w, `{"ok":true,"result":true}`)
		return
	}
	f.calls = append(f.calls, call{method, fields})
	f.msgID++
	fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1,"chat":{"id":1,"type":"private"}}}`, 1000+f.msgID)
}

// tinyJPEG is a 2x2 JPEG photo.
var tinyJPEG = func() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// take returns the calls recorded since the last take.
func (f *recordingAPI) take() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

// removedAndAnswered reads calls: whether message id was deleted, and
// the texts sent.
func removedAndAnswered(calls []call, id int) (deleted bool, answers []string) {
	for _, k := range calls {
		switch k.method {
		case "deleteMessage":
			deleted = deleted || k.fields["message_id"] == strconv.Itoa(id)
		case "sendMessage":
			answers = append(answers, k.fields["text"])
		}
	}
	return deleted, answers
}

// newRecording starts a fake Bot API and an adapter on it.
func newRecording(t *testing.T) (*Adapter, *recordingAPI) {
	t.Helper()
	api := &recordingAPI{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return a, api
}

// update decodes a raw update.
func update(t *testing.T, raw string) *models.Update {
	t.Helper()
	var u models.Update
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	return &u
}
