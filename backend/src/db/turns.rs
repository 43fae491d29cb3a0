//! Turns at writing on SQLite, and writes that wait for a turn committed together.
//!
//! SQLite lets one connection write at a time, and the others retry after sleeping (1, 2, 5 …
//! 100 ms) while keeping their pooled connection: at 1,000 uploads begun a second, writers
//! slept 600 times a second and readers waited for connections. A writer that takes its turn
//! here first waits without a connection and finds the file free. PostgreSQL locks rows, not
//! the database: there are no turns there.
//!
//! Each commit on SQLite writes every page it touched to the WAL and syncs it: about 80 KB and
//! one fsync per upload begun, whatever its size. Writes given as one statement list
//! ([`WriteTurns::write`]) therefore wait together: whoever gets the turn commits every write
//! waiting for it in one transaction (a group commit), so shared index pages are written, and
//! the file synced, once for all of them. Each caller still hears back only after its write is
//! committed, so nothing acknowledged can be lost.

use std::sync::{Arc, Mutex as Queue, PoisonError};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};
use tokio::sync::{Mutex, MutexGuard, oneshot};

use crate::Error;

/// Cloned into every request's state; on SQLite, all clones share one turn.
#[derive(Clone, Debug, Default)]
pub struct WriteTurns(Option<Arc<Turns>>);

#[derive(Debug, Default)]
struct Turns {
    turn: Arc<Mutex<()>>,
    /// Writes waiting for the next turn.
    waiting: Queue<Vec<Waiting>>,
}

#[derive(Debug)]
struct Waiting {
    statement: Statement,
    committed: oneshot::Sender<Result<(), DbErr>>,
}

impl WriteTurns {
    pub fn for_database(db: &DatabaseConnection) -> Self {
        Self((db.get_database_backend() == DatabaseBackend::Sqlite).then(Arc::default))
    }

    /// Waits for this process's turn to write (at once on PostgreSQL); it lasts as long as
    /// the guard.
    ///
    /// Take the turn before the transaction's connection, never while holding one: writers
    /// waiting with connections in hand could take the whole pool from the turn's holder.
    pub async fn take(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(turns) => Some(turns.turn.lock().await),
            None => None,
        }
    }

    /// Runs `statement` (one or several, `;`-separated) in a transaction, and returns once it
    /// is committed. On SQLite it is committed together with every other write waiting for the
    /// turn; if that transaction fails, each of them is run alone, so only a write that fails
    /// by itself reports an error.
    pub async fn write(&self, db: &DatabaseConnection, statement: Statement) -> Result<(), Error> {
        let Some(turns) = &self.0 else {
            return Ok(commit(db, statement).await?);
        };
        let (committed, outcome) = oneshot::channel();
        turns
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Waiting {
                statement,
                committed,
            });
        // The commit runs in its own task, so a caller that goes away (a closed connection)
        // never cuts short the others' transaction.
        let turns = Arc::clone(turns);
        let db = db.clone();
        tokio::spawn(async move {
            let _turn = turns.turn.lock().await;
            let writes =
                std::mem::take(&mut *turns.waiting.lock().unwrap_or_else(PoisonError::into_inner));
            commit_together(&db, writes).await;
        });
        match outcome.await {
            Ok(result) => Ok(result?),
            Err(_) => Err(Error::Internal(
                "the write was dropped before it was committed; try again".into(),
            )),
        }
    }
}

/// Commits `writes` in one transaction (nothing to do when an earlier turn took them all), and
/// tells each caller. Each write is its own call, so SQLite prepares each distinct statement
/// once and reuses it, whatever the size of the group.
async fn commit_together(db: &DatabaseConnection, writes: Vec<Waiting>) {
    if writes.is_empty() {
        return;
    }
    let together = async {
        let txn = crate::db::begin(db).await?;
        for w in &writes {
            txn.execute_raw(w.statement.clone()).await?;
        }
        txn.commit().await
    };
    match together.await {
        Ok(()) => {
            for w in writes {
                let _ = w.committed.send(Ok(()));
            }
        }
        // Nothing was written; find out which write failed by running each alone.
        Err(_) => {
            for w in writes {
                let _ = w.committed.send(commit(db, w.statement).await);
            }
        }
    }
}

async fn commit(db: &DatabaseConnection, statement: Statement) -> Result<(), DbErr> {
    let txn = crate::db::begin(db).await?;
    txn.execute_raw(statement).await?;
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database file of its own (an in-memory one would be one per pooled connection).
    async fn table() -> (DatabaseConnection, std::path::PathBuf) {
        let file = std::env::temp_dir().join(format!("vitrine-turns-{}.db", uuid::Uuid::new_v4()));
        let db = crate::db::connect(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .await
            .unwrap();
        (db, file)
    }

    fn insert(id: i64, v: &str) -> Statement {
        Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "INSERT INTO t (id, v) VALUES (?, ?); INSERT INTO t (id, v) VALUES (?, ?)",
            [id.into(), v.into(), (id + 1000).into(), v.into()],
        )
    }

    async fn ids(db: &DatabaseConnection) -> Vec<(i64, String)> {
        let all = db
            .query_all_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT id, v FROM t ORDER BY id",
            ))
            .await
            .unwrap();
        all.iter()
            .map(|r| (r.try_get("", "id").unwrap(), r.try_get("", "v").unwrap()))
            .collect()
    }

    /// Starts one write per row while the turn is held, and lets them go once all are waiting,
    /// so they are committed in one group.
    async fn write_together(
        db: &DatabaseConnection,
        rows: &[(i64, &str)],
    ) -> Vec<Result<(), Error>> {
        let turns = WriteTurns::for_database(db);
        let held = turns.take().await;
        let writes: Vec<_> = rows
            .iter()
            .map(|&(id, v)| {
                let (turns, db, statement) = (turns.clone(), db.clone(), insert(id, v));
                tokio::spawn(async move { turns.write(&db, statement).await })
            })
            .collect();
        let queue = || {
            turns
                .0
                .as_ref()
                .map_or(0, |t| t.waiting.lock().unwrap().len())
        };
        while queue() < rows.len() {
            tokio::task::yield_now().await;
        }
        drop(held);
        let mut results = Vec::new();
        for w in writes {
            results.push(w.await.unwrap());
        }
        results
    }

    fn cleanup(file: &std::path::Path) {
        for end in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{end}", file.display()));
        }
    }

    /// Writes that wait together are committed in one transaction, each with its own values.
    #[tokio::test]
    async fn waiting_writes_are_committed_together() {
        let (db, file) = table().await;
        let results = write_together(&db, &[(1, "a"), (2, "b"), (3, "c")]).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let expected = [
            (1, "a"),
            (2, "b"),
            (3, "c"),
            (1001, "a"),
            (1002, "b"),
            (1003, "c"),
        ]
        .map(|(id, v)| (id, v.to_owned()));
        assert_eq!(ids(&db).await, expected);
        cleanup(&file);
    }

    /// One bad write in a group fails alone: the others are committed, and it leaves nothing
    /// half-done.
    #[tokio::test]
    async fn a_failing_write_fails_alone() {
        let (db, file) = table().await;
        db.execute_unprepared("INSERT INTO t (id, v) VALUES (1002, 'taken')")
            .await
            .unwrap();
        let results = write_together(&db, &[(1, "a"), (2, "b"), (3, "c")]).await;
        assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
        let refused = results[1].as_ref().unwrap_err().to_string();
        assert!(refused.contains("UNIQUE"), "{refused}");
        let kept: Vec<i64> = ids(&db).await.into_iter().map(|(id, _)| id).collect();
        assert_eq!(kept, [1, 3, 1001, 1002, 1003]);
        cleanup(&file);
    }
}
