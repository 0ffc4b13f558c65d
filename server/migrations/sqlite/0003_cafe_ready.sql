-- An imported café is written in chunks through the shared writer, so that live cafés' commits
-- never wait behind one huge transaction. Its row is written first (reserving the join code)
-- with `ready = 0` and set to 1 by the last chunk; until then nobody sees it, and a café left
-- unready by a crash is deleted at the next start.
ALTER TABLE cafes ADD COLUMN ready INTEGER NOT NULL DEFAULT 1;
