package main

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// keep is how many messages a room keeps: its history is the latest of them.
const keep = 50

// maxText bounds one message's text, in characters.
const maxText = 500

// message is one stored chat message.
type message struct {
	ID   int    `json:"id"`
	Room string `json:"room"`
	From string `json:"from"`
	Text string `json:"text"`
	Time string `json:"time"`
}

// store keeps the latest messages of each room in memory.
type store struct {
	token  string
	mu     sync.Mutex
	nextID int
	rooms  map[string][]message
	now    func() time.Time
}

func newStore(token string) *store {
	return &store{token: token, rooms: map[string][]message{}, now: time.Now}
}

// handler serves GET and POST /rooms/{room}/messages.
func (s *store) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rooms/{room}/messages", s.history)
	mux.HandleFunc("POST /rooms/{room}/messages", s.add)
	return s.authorized(mux)
}

// authorized refuses requests without the token, when the store has one.
func (s *store) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if s.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			reply(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// history answers the room's latest messages, oldest first.
func (s *store) history(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	list := append([]message{}, s.rooms[r.PathValue("room")]...)
	s.mu.Unlock()
	reply(w, http.StatusOK, list)
}

// add stores a message and answers it, with its id and time, as 201.
func (s *store) add(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From string `json:"from"`
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&in); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "send {from, text} as JSON"})
		return
	}
	text := strings.TrimSpace(in.Text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		reply(w, http.StatusUnprocessableEntity, map[string]string{"error": "the message is empty"})
		return
	case n > maxText:
		reply(w, http.StatusUnprocessableEntity, map[string]string{"error": "the message is too long"})
		return
	}
	room := r.PathValue("room")
	s.mu.Lock()
	s.nextID++
	m := message{ID: s.nextID, Room: room, From: in.From, Text: text, Time: s.now().UTC().Format(time.RFC3339)}
	list := append(s.rooms[room], m)
	if len(list) > keep {
		list = list[len(list)-keep:]
	}
	s.rooms[room] = list
	s.mu.Unlock()
	reply(w, http.StatusCreated, m)
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
