-- +goose Up
-- What accepted documents taught about where a supplier's values stand.
CREATE TABLE learned_fields (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    process_id    TEXT NOT NULL,
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    supplier_key  TEXT NOT NULL,
    field         TEXT NOT NULL,
    memory        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX learned_fields_by_supplier ON learned_fields (org_id, supplier_key, created_at);
CREATE INDEX learned_fields_by_collection ON learned_fields (collection_id);
CREATE INDEX learned_fields_by_process ON learned_fields (process_id);

-- +goose Down
DROP TABLE learned_fields;
