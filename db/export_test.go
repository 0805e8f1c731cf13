package db

import "database/sql"

// Pools exposes the writer and the read pool to the external tests, which check
// their PRAGMAs and count rows.
func (db *DB) Pools() (writer, reader *sql.DB) { return db.writer, db.reader }
