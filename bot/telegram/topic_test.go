package telegram

import (
	"context"
	"fmt"
	"testing"
)

// In a forum supergroup the bot answers in the topic the message came
// from (message_thread_id), not in General; a message in General, or in a
// reply thread of a group that is no forum, is answered without a topic.
func TestAnswersGoToTheMessagesTopic(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	cases := []struct {
		name, thread string
		want         string
	}{
		{"a topic", `"is_topic_message":true,"message_thread_id":77,`, "77"},
		{"General", ``, ""},
		{"a reply thread, no forum", `"message_thread_id":12,`, ""},
	}
	for i, c := range cases {
		for j, text := range []string{`"text":"/help@VigiaBot","entities":[{"type":"bot_command","offset":0,"length":14}]`,
			`"text":"@VigiaBot el Chapo cobra piso","entities":[{"type":"mention","offset":0,"length":9}]`} {
			id := 10*i + j + 1
			a.handle(context.Background(), mux, update(t, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,%s`+
				`"chat":{"id":-1009,"type":"supergroup","title":"Foro","is_forum":true},"from":{"id":5,"first_name":"R"},%s}}`, id, id, c.thread, text)), albumPlace{})
			sends := 0
			for _, k := range api.take() {
				if k.method != "sendMessage" {
					continue
				}
				sends++
				if k.fields["message_thread_id"] != c.want {
					t.Errorf("%s, message %d: answered in topic %q, want %q", c.name, j, k.fields["message_thread_id"], c.want)
				}
			}
			if sends != 1 {
				t.Errorf("%s, message %d: %d answers", c.name, j, sends)
			}
		}
	}
}
