//! Postgres' part in creating a café chunk by chunk (see `writer::create`): the café's row,
//! and discarding cafés whose creation failed midway or was cut short by a crash.

use super::db;
use crate::store::StoreResult;
use sqlx::{PgConnection, PgPool};

/// A hidden café older than this was abandoned by a node that died while writing it: a
/// creation's chunks follow each other within seconds, even for the largest import. (Other
/// nodes may be creating cafés right now, so a starting node cannot discard every hidden
/// café the way a single SQLite node does.)
const ABANDONED_AFTER_MINUTES: i64 = 10;

/// Inserts the café's row (and an import's starting snapshot) inside the writer's
/// transaction.
pub(super) async fn insert_cafe(
    tx: &mut PgConnection,
    id: &str,
    code: &str,
    epoch: i64,
    created_at: i64,
    snapshot: &Option<(i64, String)>,
    ready: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cafes (id, code, epoch, created_at, ready) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(code)
    .bind(epoch)
    .bind(created_at)
    .bind(ready)
    .execute(&mut *tx)
    .await?;
    if let Some((seq, json)) = snapshot {
        sqlx::query("INSERT INTO snapshots (cafe_id, seq, state) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*seq)
            .bind(json.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

const DISCARD: [&str; 4] = [
    "DELETE FROM events WHERE cafe_id IN (SELECT id FROM cafes WHERE NOT ready AND id = $1)",
    "DELETE FROM commands WHERE cafe_id IN (SELECT id FROM cafes WHERE NOT ready AND id = $1)",
    "DELETE FROM snapshots WHERE cafe_id IN (SELECT id FROM cafes WHERE NOT ready AND id = $1)",
    "DELETE FROM cafes WHERE NOT ready AND id = $1",
];

/// Deletes a café that never became ready (never one that did).
pub(super) async fn discard(tx: &mut PgConnection, id: &str) -> Result<(), sqlx::Error> {
    for q in DISCARD {
        sqlx::query(q).bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

/// At start: cafés whose creation a crash cut short long enough ago.
pub(super) async fn discard_abandoned(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM cafes WHERE NOT ready \
         AND started_at < now() - $1 * interval '1 minute' FOR UPDATE SKIP LOCKED",
    )
    .bind(ABANDONED_AFTER_MINUTES)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    for id in &ids {
        discard(&mut tx, id).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    if !ids.is_empty() {
        tracing::warn!(
            cafes = ids.len(),
            "discarded cafés whose creation was cut short"
        );
    }
    Ok(())
}
