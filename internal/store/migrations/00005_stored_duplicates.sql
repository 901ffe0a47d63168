-- +goose Up
-- The earlier collections holding a file with the same SHA-256, found once
-- at upload (and pruned when one is deleted) instead of on every listing.
ALTER TABLE collections ADD COLUMN duplicates TEXT NOT NULL DEFAULT '[]';

-- +goose Down
SELECT 1;
