package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/crescent-idp/crescent/internal/workspace"
)

var _ workspace.DestinationStore = (*Store)(nil)

// EventEnqueuer inserts the delivery job of one event to one destination
// inside tx, so that the event exists exactly when the state change that
// caused it commits.
type EventEnqueuer func(ctx context.Context, tx *sql.Tx, destinationID, eventID, eventType, collectionID string) error

// SetEventEnqueuer installs the queue's event function. Without one, no
// events are sent.
func (s *Store) SetEventEnqueuer(e EventEnqueuer) { s.events = e }

// emit enqueues eventType for every destination of the organization that
// subscribes to it for the collection's process.
func (s *Store) emit(ctx context.Context, tx *sql.Tx, orgID, processID, collectionID string, eventTypes ...string) error {
	if s.events == nil || len(eventTypes) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, events, process_ids FROM destinations WHERE org_id = $1`, orgID)
	if err != nil {
		return err
	}
	type target struct{ id, events, processes string }
	var targets []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.id, &t.events, &t.processes); err != nil {
			rows.Close()
			return err
		}
		targets = append(targets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range targets {
		if t.processes != "" && !hasWord(t.processes, processID) {
			continue
		}
		for _, ev := range eventTypes {
			if hasWord(t.events, ev) {
				if err := s.events(ctx, tx, t.id, "msg_"+workspace.NewID(), ev, collectionID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

const destinationColumns = `id, org_id, name, type, config, secret, events, process_ids, format, created_by, created_at`

// CreateDestination inserts d.
func (s *Store) CreateDestination(ctx context.Context, d workspace.Destination) error {
	cfg, err := json.Marshal(d.Config)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO destinations (`+destinationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.ID, d.OrgID, d.Name, d.Type, string(cfg), d.Secret, strings.Join(d.Events, " "), strings.Join(d.ProcessIDs, " "), d.Format,
		d.CreatedBy, unix(d.CreatedAt))
	return err
}

func scanDestination(r rowScanner) (workspace.Destination, error) {
	var d workspace.Destination
	var cfg, events, processes string
	var created int64
	if err := r.Scan(&d.ID, &d.OrgID, &d.Name, &d.Type, &cfg, &d.Secret, &events, &processes, &d.Format, &d.CreatedBy, &created); err != nil {
		return d, err
	}
	_ = json.Unmarshal([]byte(cfg), &d.Config)
	d.Events, d.ProcessIDs, d.CreatedAt = strings.Fields(events), strings.Fields(processes), fromUnix(created)
	return d, nil
}

// GetDestination returns the organization's destination or CodeNotFound.
func (s *Store) GetDestination(ctx context.Context, orgID, id string) (workspace.Destination, error) {
	d, err := scanDestination(s.r.QueryRowContext(ctx, `SELECT `+destinationColumns+` FROM destinations WHERE id = $1 AND (org_id = $2 OR $2 = '')`, id, orgID))
	return d, notFoundIf(err, "destination")
}

// ListDestinations returns a page of the organization's destinations.
func (s *Store) ListDestinations(ctx context.Context, orgID string, p workspace.Page) ([]workspace.Destination, int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM destinations WHERE org_id = $1`, orgID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+destinationColumns+` FROM destinations WHERE org_id = $1
		ORDER BY created_at, id LIMIT $2 OFFSET $3`, orgID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []workspace.Destination{}
	for rows.Next() {
		d, err := scanDestination(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// DeleteDestination removes a destination and its delivery log.
func (s *Store) DeleteDestination(ctx context.Context, orgID, id string) error {
	return deleteOne(ctx, s.w, "destination", `DELETE FROM destinations WHERE id = $1 AND org_id = $2`, id, orgID)
}

// AddDelivery records one delivery attempt.
func (s *Store) AddDelivery(ctx context.Context, d workspace.Delivery) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO deliveries (id, destination_id, event_id, event_type, collection_id, attempt, status,
		status_code, latency_ms, error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.ID, d.DestinationID, d.EventID, d.EventType, d.CollectionID, d.Attempt, d.Status, d.StatusCode, d.LatencyMS, d.Error, unix(d.CreatedAt))
	return err
}

// ListDeliveries returns a page of a destination's attempts, newest first.
func (s *Store) ListDeliveries(ctx context.Context, destinationID string, p workspace.Page) ([]workspace.Delivery, int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE destination_id = $1`, destinationID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, destination_id, event_id, event_type, collection_id, attempt, status, status_code,
		latency_ms, error, created_at FROM deliveries WHERE destination_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
		destinationID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []workspace.Delivery{}
	for rows.Next() {
		var d workspace.Delivery
		var created int64
		if err := rows.Scan(&d.ID, &d.DestinationID, &d.EventID, &d.EventType, &d.CollectionID, &d.Attempt, &d.Status, &d.StatusCode,
			&d.LatencyMS, &d.Error, &created); err != nil {
			return nil, 0, err
		}
		d.CreatedAt = fromUnix(created)
		out = append(out, d)
	}
	return out, total, rows.Err()
}
