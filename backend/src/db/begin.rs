//! Why every transaction starts here and not with `TransactionTrait::begin`: sqlx 0.9 counts a
//! PostgreSQL transaction as open only once `BEGIN` has been answered, so a request dropped
//! while it waits (a browser that left, a killed task) rolls nothing back, and its connection
//! goes back to the pool still inside that transaction. Whatever the next borrower writes there
//! without a transaction of its own is never committed: an upload begun on it vanishes
//! (sqlx issues #4385 and #4393; the fix is merged upstream but not released).
//!
//! So `BEGIN` runs in a task of its own that no caller can cut short. If the caller is gone when
//! it is answered, the transaction is dropped there, as an open one, and rolled back.

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

/// Begins a transaction on `db`; cancelling the returned future never leaves one open.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let db = db.clone();
    #[allow(clippy::disallowed_methods)] // The one place allowed to: see above.
    let begun = tokio::spawn(async move { db.begin().await }).await;
    match begun {
        Ok(txn) => txn,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        // Only a runtime shutting down cancels the task.
        Err(err) => Err(DbErr::Custom(format!("the transaction never began: {err}"))),
    }
}
