-- +goose Up
-- The reconciler walks the collections still Queued or Processing.
CREATE INDEX collections_unfinished ON collections (id) WHERE status IN ('Queued', 'Processing');

-- +goose Down
DROP INDEX collections_unfinished;
