package db

import "database/sql"

// Pools exposes the writer and the read pool to the external tests, which check
// their PRAGMAs and count rows.
func (db *DB) Pools() (writer, reader *sql.DB) { return db.writer, db.reader }

// QueueQuery and UnsettledWhere expose the SQL of Queue and UnsettledRefunds, so
// that a test can check their query plans.
var (
	QueueQuery     = queueQuery
	UnsettledWhere = unsettledWhere
	ClaimSelect    = claimSelect
	// ReturnRecordsQuery is the export's SELECT, for its query plan.
	ReturnRecordsQuery = returnRecordsQuery
)
