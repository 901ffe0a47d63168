-- +goose Up
-- An Idempotency-Key is remembered per API key and route (method and path
-- with its parameters), not per organization: the same header value sent
-- by another key or to another process is another request, never a replay
-- of a collection that caller may not see. The request hash also changed
-- meaning (it now covers what a request asks for, not its raw bytes), so
-- the records kept under the old scheme could never match again and are
-- dropped with their table.
DROP TABLE idempotency_keys;

CREATE TABLE idempotency_records (
    org_id       TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    route        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, key_id, route, idem_key)
);

-- +goose Down
DROP TABLE idempotency_records;

CREATE TABLE idempotency_keys (
    org_id       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);
