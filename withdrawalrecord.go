package returns

import "time"

// WithdrawalLogEntry is one entry of the hash-chained withdrawal log: what
// it records (Kind: statement, acknowledgement, refund, parcel, received),
// of which withdrawal, its canonical JSON payload, and its place in the
// chain (the previous entry's hash and its own).
type WithdrawalLogEntry struct {
	Seq int64
	// V is the entry's format: 2, hashed with HMAC-SHA256 and the log's
	// key; 1, hashed with SHA-256 alone (written before the key).
	V          int
	At         time.Time
	ReturnCode string
	Kind       string
	Payload    string
	PrevHash   string
	Hash       string
}
