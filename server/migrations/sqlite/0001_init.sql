-- One row per café. `epoch` names the café's history: it changes only if that history is lost,
-- so a client resuming with an unknown epoch gets a fresh snapshot.
CREATE TABLE cafes (
    id          TEXT    PRIMARY KEY NOT NULL,
    code        TEXT    NOT NULL UNIQUE,
    epoch       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The café's history. `seq` is dense per café; the primary key makes a second writer for the
-- same (cafe_id, seq) fail instead of forking the history.
CREATE TABLE events (
    cafe_id         TEXT    NOT NULL REFERENCES cafes(id),
    seq             INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    command_person  INTEGER,
    command_id      TEXT,
    body            TEXT    NOT NULL,
    PRIMARY KEY (cafe_id, seq)
) WITHOUT ROWID;

-- Every accepted command (also those that changed nothing), so that a command re-sent after a
-- reconnect or a restart is acknowledged with its original seq and never applied twice.
CREATE TABLE commands (
    cafe_id  TEXT    NOT NULL REFERENCES cafes(id),
    person   INTEGER NOT NULL,
    id       TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    PRIMARY KEY (cafe_id, person, id)
) WITHOUT ROWID;

-- Periodic full states, so loading a café replays only the events after the newest one.
CREATE TABLE snapshots (
    cafe_id  TEXT    NOT NULL REFERENCES cafes(id),
    seq      INTEGER NOT NULL,
    state    TEXT    NOT NULL,
    PRIMARY KEY (cafe_id, seq)
) WITHOUT ROWID;
