//! SQLite's part in creating a café chunk by chunk (see `writer::create`): the café's row,
//! and discarding cafés whose creation failed midway or was cut short by a crash.

use super::db;
use crate::store::StoreResult;
use sqlx::SqlitePool;

/// Inserts the café's row (and an import's starting snapshot) inside the writer's
/// transaction.
pub(super) async fn insert_cafe(
    tx: &mut sqlx::SqliteConnection,
    id: &str,
    code: &str,
    epoch: i64,
    created_at: i64,
    snapshot: &Option<(i64, String)>,
    ready: bool,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO cafes (id, code, epoch, created_at, ready) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(code)
        .bind(epoch)
        .bind(created_at)
        .bind(ready)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if let Some((seq, json)) = snapshot {
        sqlx::query("INSERT INTO snapshots (cafe_id, seq, state) VALUES (?, ?, ?)")
            .bind(id)
            .bind(*seq)
            .bind(json.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

const DISCARD: [&str; 4] = [
    "DELETE FROM events WHERE cafe_id IN (SELECT id FROM cafes WHERE ready = 0 AND id = ?1)",
    "DELETE FROM commands WHERE cafe_id IN (SELECT id FROM cafes WHERE ready = 0 AND id = ?1)",
    "DELETE FROM snapshots WHERE cafe_id IN (SELECT id FROM cafes WHERE ready = 0 AND id = ?1)",
    "DELETE FROM cafes WHERE ready = 0 AND id = ?1",
];

/// Deletes a café that never became ready (never one that did).
pub(super) async fn discard(tx: &mut sqlx::SqliteConnection, id: &str) -> StoreResult<()> {
    for q in DISCARD {
        sqlx::query(q)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

/// At start, before any writer runs: cafés whose creation a crash cut short.
pub(super) async fn discard_unready(pool: &SqlitePool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM cafes WHERE ready = 0")
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    for id in &ids {
        discard(&mut tx, id).await?;
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
