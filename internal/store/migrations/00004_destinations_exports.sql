-- +goose Up
CREATE TABLE destinations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    config      TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    process_ids TEXT NOT NULL,
    format      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX destinations_by_org ON destinations (org_id, created_at);

CREATE TABLE deliveries (
    id             TEXT PRIMARY KEY,
    destination_id TEXT NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
    event_id       TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    collection_id  TEXT NOT NULL,
    attempt        BIGINT NOT NULL,
    status         TEXT NOT NULL,
    status_code    BIGINT NOT NULL,
    latency_ms     BIGINT NOT NULL,
    error          TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX deliveries_by_destination ON deliveries (destination_id, created_at);

CREATE TABLE exports (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    process_id   TEXT NOT NULL,
    format       TEXT NOT NULL,
    status       TEXT NOT NULL,
    row_count    BIGINT NOT NULL,
    filter       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    error        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    completed_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE exports;
DROP TABLE deliveries;
DROP TABLE destinations;
