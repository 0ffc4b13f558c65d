-- Cluster mode's café leases (see store.rs). A single SQLite node never takes one, but the
-- table keeps both back ends behind the same trait and under the same conformance tests.
-- `token` is the fencing token: it grows by one each time the lease changes hands.
CREATE TABLE cafe_leases (
    cafe_id     TEXT    PRIMARY KEY NOT NULL,
    owner_node  TEXT    NOT NULL,
    token       INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
