-- +goose Up
CREATE TABLE processes (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type_id     TEXT NOT NULL,
    version     BIGINT NOT NULL,
    config      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    usage_pages BIGINT,
    accesses    TEXT NOT NULL
);
CREATE INDEX processes_by_org ON processes (org_id, created_at, id);

CREATE TABLE collections (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL,
    process_id     TEXT NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    name_lower     TEXT NOT NULL,
    priority       BOOLEAN NOT NULL,
    split          BOOLEAN NOT NULL,
    status         TEXT NOT NULL,
    status_message TEXT NOT NULL DEFAULT '',
    progress       BIGINT NOT NULL DEFAULT 0,
    pages          BIGINT NOT NULL DEFAULT 0,
    metadata       TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX collections_by_created ON collections (process_id, created_at, id);
CREATE INDEX collections_by_name ON collections (process_id, name_lower, id);
CREATE INDEX collections_by_status ON collections (process_id, status, created_at);
CREATE INDEX collections_by_priority ON collections (process_id, priority, created_at);

-- One row per top-level metadata pair, for exact-match filters on both databases.
CREATE TABLE collection_metadata (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    k             TEXT NOT NULL,
    v             TEXT NOT NULL,
    PRIMARY KEY (collection_id, k)
);
CREATE INDEX collection_metadata_by_pair ON collection_metadata (k, v);

CREATE TABLE files (
    id            TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    position      BIGINT NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    progress      BIGINT NOT NULL DEFAULT 0,
    pages         BIGINT NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    blob_key      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX files_by_collection ON files (collection_id, position);
CREATE INDEX files_by_hash ON files (org_id, sha256);

CREATE TABLE idempotency_keys (
    org_id       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE files;
DROP TABLE collection_metadata;
DROP TABLE collections;
DROP TABLE processes;
