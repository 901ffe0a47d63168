-- +goose Up
ALTER TABLE files ADD COLUMN result_code TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN result_msg TEXT NOT NULL DEFAULT '';

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    file_id       TEXT NOT NULL,
    position      BIGINT NOT NULL,
    name          TEXT NOT NULL,
    first_page    BIGINT NOT NULL,
    last_page     BIGINT NOT NULL,
    class         TEXT NOT NULL,
    class_status  TEXT NOT NULL,
    validation    TEXT NOT NULL,
    tables        TEXT NOT NULL
);
CREATE INDEX documents_by_collection ON documents (collection_id, position);

CREATE TABLE extractions (
    id               TEXT PRIMARY KEY,
    document_id      TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    collection_id    TEXT NOT NULL,
    field            TEXT NOT NULL,
    rank             BIGINT NOT NULL,
    value            TEXT NOT NULL,
    raw_value        TEXT NOT NULL,
    converter_type   TEXT NOT NULL,
    converter_format TEXT NOT NULL,
    status           TEXT NOT NULL,
    validation       TEXT NOT NULL,
    confidence       DOUBLE PRECISION NOT NULL,
    page_num         BIGINT NOT NULL,
    bbox             TEXT NOT NULL,
    source           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX extractions_by_document ON extractions (document_id, field, rank);
CREATE INDEX extractions_by_collection ON extractions (collection_id, document_id, field, rank);

CREATE TABLE pages (
    id            TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    file_id       TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    page_num      BIGINT NOT NULL,
    source        TEXT NOT NULL,
    text          TEXT NOT NULL,
    words         TEXT NOT NULL
);
CREATE INDEX pages_by_collection ON pages (collection_id, file_id, page_num);

-- +goose Down
DROP TABLE pages;
DROP TABLE extractions;
DROP TABLE documents;
