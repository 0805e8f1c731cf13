package devshop

import (
	"errors"
	"net/http"
	"slices"
)

// A staff edit of an order's note made between the portal's read of the
// note and its write: the merchant saves the note (and Shopify sends
// orders/updated) right after the next Admin API read of that order's note
// was answered, before the portal can write on what it read.
//
//	POST /_devshop/orders/{number}/note-edit  {"note":"…","when":"after-next-read"}
//
// "when" is "after-next-read" or "now" (as POST …/note).

// NoteEditAfterNextRead is the "when" of an edit made right after the next
// read of the order's note.
const NoteEditAfterNextRead = "after-next-read"

// EditNoteAfterNextRead makes the merchant replace the note of the order
// named orderName with note right after the next Admin API request that
// reads the order's note was answered, and fire orders/updated. Edits asked
// for before it are made first.
func (s *Shop) EditNoteAfterNextRead(orderName, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderByName(orderName)
	if o == nil {
		return errNoOrder
	}
	if s.noteEdits == nil {
		s.noteEdits = make(map[*order][]string)
	}
	s.noteEdits[o] = append(s.noteEdits[o], note)
	return nil
}

// PendingNoteEdits returns how many edits of the order's note wait for a
// read of it.
func (s *Shop) PendingNoteEdits(orderName string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.noteEdits[s.orderByName(orderName)])
}

// editNotesRead makes the edits that waited for a read of a note this
// request read. It runs once the answer is made and before it is sent, so
// the client's next request already meets the edited note. The caller
// holds s.mu.
func (s *Shop) editNotesRead(x *execution) {
	for _, o := range x.notesRead {
		edits := s.noteEdits[o]
		if len(edits) == 0 {
			continue
		}
		s.noteEdits[o] = edits[1:]
		if o.note != edits[0] {
			o.note = edits[0]
			s.orderChanged(o)
		}
	}
}

// noteRead records that the request read o's note.
func (x *execution) noteRead(o *order) {
	if !slices.Contains(x.notesRead, o) {
		x.notesRead = append(x.notesRead, o)
	}
}

// handleNoteEdit answers POST /_devshop/orders/{number}/note-edit.
func (s *Shop) handleNoteEdit(w http.ResponseWriter, r *http.Request) {
	var in struct{ Note, When string }
	if !readAdminJSON(w, r, &in) {
		return
	}
	var err error
	switch in.When {
	case NoteEditAfterNextRead:
		err = s.EditNoteAfterNextRead(r.PathValue("number"), in.Note)
	case "", "now":
		err = s.SetNote(r.PathValue("number"), in.Note)
	default:
		err = errors.New(`"when" is "after-next-read" or "now"`)
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		writeAdminError(w, adminStatus(err), err.Error())
		return
	}
	writeAdminJSON(w, http.StatusAccepted, map[string]any{"when": in.When, "pending": s.PendingNoteEdits(r.PathValue("number"))})
}
