-- The Postgres schema: the same tables as SQLite's (migrations/sqlite), in their current form.
-- Seqs, epochs, person ids and times in milliseconds are bigint. Events and snapshots are the
-- JSON text the server wrote, stored as `text`, not `jsonb`: jsonb refuses what SQLite keeps
-- (a `\u0000` escape), rewrites numbers and key order, and costs a parse on every write and a
-- print on every read; an operator still queries a log with `body::jsonb->>'type'`. Client-made
-- command ids are `bytea`: a client may put any character in them, NUL included, which `text`
-- refuses.

-- One row per café. `epoch` names the café's history: it changes only if that history is lost,
-- so a client resuming with an unknown epoch gets a fresh snapshot. An imported café is
-- written in chunks with `ready = false` (reserving its join code), made visible by its last
-- chunk; `started_at` lets a node that starts discard creations cut short by a crash without
-- touching one that another node is still writing.
CREATE TABLE cafes (
    id          text        PRIMARY KEY,
    code        text        NOT NULL UNIQUE,
    epoch       bigint      NOT NULL,
    created_at  bigint      NOT NULL,
    ready       boolean     NOT NULL DEFAULT true,
    started_at  timestamptz NOT NULL DEFAULT now()
);

-- The café's history. `seq` is dense per café; the primary key makes a second writer for the
-- same (cafe_id, seq) fail instead of forking the history.
CREATE TABLE events (
    cafe_id         text   NOT NULL REFERENCES cafes(id),
    seq             bigint NOT NULL,
    at              bigint NOT NULL,
    command_person  bigint,
    command_id      bytea,
    body            text   NOT NULL,
    PRIMARY KEY (cafe_id, seq)
);

-- Every accepted command (also those that changed nothing), so that a command re-sent after a
-- reconnect, a restart or a failover is acknowledged with its original seq, never applied twice.
CREATE TABLE commands (
    cafe_id  text   NOT NULL REFERENCES cafes(id),
    person   bigint NOT NULL,
    id       bytea  NOT NULL,
    seq      bigint NOT NULL,
    PRIMARY KEY (cafe_id, person, id)
);

-- Periodic full states, so loading a café replays only the events after the newest one.
CREATE TABLE snapshots (
    cafe_id  text   NOT NULL REFERENCES cafes(id),
    seq      bigint NOT NULL,
    state    text   NOT NULL,
    PRIMARY KEY (cafe_id, seq)
);

-- One row that /readyz rewrites to learn whether the store still takes writes.
CREATE TABLE health (
    id          integer PRIMARY KEY CHECK (id = 1),
    checked_at  bigint  NOT NULL
);

-- Cluster mode: each café's owner node and its fencing token (see store.rs). `token` grows by
-- one each time the lease is acquired; an owner's appends carry it and are refused once it is
-- stale. Times are on the database's clock, so the nodes' clocks need not agree. No foreign
-- key: a lease may outlive a discarded half-created café without harm.
CREATE TABLE cafe_leases (
    cafe_id     text        PRIMARY KEY,
    owner_node  text        NOT NULL,
    token       bigint      NOT NULL,
    expires_at  timestamptz NOT NULL
);
