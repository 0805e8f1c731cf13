package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/returnsportal/returns"
)

// PurgePhotos deletes the photos of up to p.Limit returns in one of
// p.Statuses since before p.Before, with p.Event on each one's timeline, in one
// transaction, and returns how many returns lost their photos. A return is in
// its status since the newest event that set it (its updated_at when there is
// none). Only returns with photos are looked at, by the photos' index, so a
// run reads no more than the returns that have photos.
func (db *DB) PurgePhotos(ctx context.Context, p returns.PhotoPurge) (int, error) {
	if p.Limit <= 0 || len(p.Statuses) == 0 {
		return 0, fmt.Errorf("purge photos: limit %d and statuses %v must be set", p.Limit, p.Statuses)
	}
	statuses, err := json.Marshal(p.Statuses)
	if err != nil {
		return 0, fmt.Errorf("purge photos: %w", err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `
		SELECT r.id FROM returns r
		WHERE r.id IN (SELECT DISTINCT return_id FROM photos)
			AND r.status IN (SELECT value FROM json_each(?))
			AND coalesce((SELECT max(e.at) FROM events e WHERE e.return_id = r.id AND e.status = r.status), r.updated_at) < ?
		ORDER BY r.id LIMIT ?`, string(statuses), millis(p.Before), p.Limit)
	if err != nil {
		return 0, fmt.Errorf("select photos to purge: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("select photos to purge: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("select photos to purge: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE return_id = ?`, id); err != nil {
			return 0, fmt.Errorf("purge photos of return %d: %w", id, err)
		}
		ev := p.Event
		ev.ReturnID, ev.Status = id, ""
		if err := insertEvent(ctx, tx, ev); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit photo purge: %w", err)
	}
	return len(ids), nil
}
