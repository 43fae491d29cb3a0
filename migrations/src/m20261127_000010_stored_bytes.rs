//! Each seller's stored bytes, kept as a running total instead of summed on every upload begun.
//! The sum read every object the seller had ever stored, so beginning an upload slowed down as
//! the shop grew (30,000 rows for a seller with 10,000 photos).
//!
//! - `stored_objects.account_id`: whose bytes an object are. The app writes it; here it is
//!   filled in for the rows already there (from the intent, else the image, else the key),
//!   and a trigger fills it in from the intent for a row inserted without it (by an instance
//!   still on the previous release, during a rolling deploy).
//! - `accounts.stored_bytes`: the total, kept by triggers on `stored_objects`. Every insert,
//!   delete or resize changes it in the same statement, whatever path wrote the rows (the app,
//!   an import, an operator's SQL), so it cannot drift from the rows it sums.
//!
//! Also: open uploads are counted from a partial index of the uncompleted intents (the index
//! it replaces also held every completed one not yet expired), and the PostgreSQL index of
//! keys in byte order, which only the sum used, goes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    StoredBytes,
}

#[derive(DeriveIden)]
enum StoredObjects {
    Table,
    Id,
    AccountId,
    ObjectKey,
}

/// The SQLite triggers: one per row (SQLite has no statement triggers).
const SQLITE_TRIGGERS: [&str; 4] = [
    r#"CREATE TRIGGER "stored_objects_owner" AFTER INSERT ON "stored_objects"
       WHEN NEW."account_id" IS NULL AND NEW."intent_id" IS NOT NULL
       BEGIN
         UPDATE "stored_objects" SET "account_id" =
           (SELECT "account_id" FROM "upload_intents" WHERE "id" = NEW."intent_id")
         WHERE "id" = NEW."id";
       END"#,
    r#"CREATE TRIGGER "stored_objects_added" AFTER INSERT ON "stored_objects"
       WHEN NEW."account_id" IS NOT NULL
       BEGIN
         UPDATE "accounts" SET "stored_bytes" = "stored_bytes" + NEW."byte_size"
         WHERE "id" = NEW."account_id";
       END"#,
    r#"CREATE TRIGGER "stored_objects_removed" AFTER DELETE ON "stored_objects"
       WHEN OLD."account_id" IS NOT NULL
       BEGIN
         UPDATE "accounts" SET "stored_bytes" = "stored_bytes" - OLD."byte_size"
         WHERE "id" = OLD."account_id";
       END"#,
    r#"CREATE TRIGGER "stored_objects_resized" AFTER UPDATE OF "account_id", "byte_size"
       ON "stored_objects"
       BEGIN
         UPDATE "accounts" SET "stored_bytes" = "stored_bytes" - OLD."byte_size"
         WHERE "id" = OLD."account_id";
         UPDATE "accounts" SET "stored_bytes" = "stored_bytes" + NEW."byte_size"
         WHERE "id" = NEW."account_id";
       END"#,
];

/// A PostgreSQL trigger that moves the totals once per statement, over all its rows (an
/// upload begun inserts three objects: one update of the seller's total, not three): `sign`
/// `+` after inserts (`NEW TABLE`), `-` after deletes (`OLD TABLE`).
fn postgres_statement_trigger(name: &str, event: &str, rows: &str, sign: char) -> [String; 2] {
    let table = if rows == "NEW" {
        "new_objects"
    } else {
        "old_objects"
    };
    [
        format!(
            r#"CREATE FUNCTION "stored_bytes_{name}"() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 UPDATE "accounts" SET "stored_bytes" = "accounts"."stored_bytes" {sign} "rows"."bytes"
                 FROM (SELECT "account_id", SUM("byte_size") AS "bytes" FROM "{table}"
                       WHERE "account_id" IS NOT NULL GROUP BY "account_id") AS "rows"
                 WHERE "accounts"."id" = "rows"."account_id";
                 RETURN NULL;
               END $$"#
        ),
        format!(
            r#"CREATE TRIGGER "stored_objects_{name}" AFTER {event} ON "stored_objects"
               REFERENCING {rows} TABLE AS "{table}"
               FOR EACH STATEMENT EXECUTE FUNCTION "stored_bytes_{name}"()"#
        ),
    ]
}

/// The PostgreSQL triggers: inserts and deletes per statement, a change of owner or size
/// (only ever by hand) per row.
fn postgres_triggers() -> Vec<String> {
    let mut all = Vec::new();
    all.extend(postgres_statement_trigger("added", "INSERT", "NEW", '+'));
    all.extend(postgres_statement_trigger("removed", "DELETE", "OLD", '-'));
    all.extend(POSTGRES_RESIZED.map(str::to_owned));
    all.extend(POSTGRES_OWNER.map(str::to_owned));
    all
}

/// Fills in the owner of an object inserted without one (by an instance still on the previous
/// release, during a rolling deploy) from its intent, before the totals are moved.
const POSTGRES_OWNER: [&str; 2] = [
    r#"CREATE FUNCTION "stored_object_owner"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW."account_id" :=
           (SELECT "account_id" FROM "upload_intents" WHERE "id" = NEW."intent_id");
         RETURN NEW;
       END $$"#,
    r#"CREATE TRIGGER "stored_objects_owner" BEFORE INSERT ON "stored_objects" FOR EACH ROW
       WHEN (NEW."account_id" IS NULL AND NEW."intent_id" IS NOT NULL)
       EXECUTE FUNCTION "stored_object_owner"()"#,
];

const POSTGRES_RESIZED: [&str; 2] = [
    r#"CREATE FUNCTION "stored_bytes_resized"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE "accounts" SET "stored_bytes" = "stored_bytes" - OLD."byte_size"
         WHERE "id" = OLD."account_id";
         UPDATE "accounts" SET "stored_bytes" = "stored_bytes" + NEW."byte_size"
         WHERE "id" = NEW."account_id";
         RETURN NULL;
       END $$"#,
    r#"CREATE TRIGGER "stored_objects_resized" AFTER UPDATE OF "account_id", "byte_size"
       ON "stored_objects" FOR EACH ROW
       WHEN (OLD."account_id" IS DISTINCT FROM NEW."account_id"
             OR OLD."byte_size" <> NEW."byte_size")
       EXECUTE FUNCTION "stored_bytes_resized"()"#,
];

const DROP_POSTGRES_TRIGGERS: [&str; 8] = [
    r#"DROP TRIGGER "stored_objects_owner" ON "stored_objects""#,
    r#"DROP FUNCTION "stored_object_owner"()"#,
    r#"DROP TRIGGER "stored_objects_added" ON "stored_objects""#,
    r#"DROP TRIGGER "stored_objects_removed" ON "stored_objects""#,
    r#"DROP TRIGGER "stored_objects_resized" ON "stored_objects""#,
    r#"DROP FUNCTION "stored_bytes_added"()"#,
    r#"DROP FUNCTION "stored_bytes_removed"()"#,
    r#"DROP FUNCTION "stored_bytes_resized"()"#,
];

const DROP_SQLITE_TRIGGERS: [&str; 4] = [
    r#"DROP TRIGGER "stored_objects_owner""#,
    r#"DROP TRIGGER "stored_objects_added""#,
    r#"DROP TRIGGER "stored_objects_removed""#,
    r#"DROP TRIGGER "stored_objects_resized""#,
];

/// Whose objects the rows already stored are: the intent's seller, else the image's.
const OWNERS_FROM_LINKS: [&str; 2] = [
    r#"UPDATE "stored_objects" SET "account_id" =
         (SELECT "account_id" FROM "upload_intents" WHERE "upload_intents"."id" = "stored_objects"."intent_id")
       WHERE "account_id" IS NULL AND "intent_id" IS NOT NULL"#,
    r#"UPDATE "stored_objects" SET "account_id" =
         (SELECT "account_id" FROM "images" WHERE "images"."id" = "stored_objects"."image_id")
       WHERE "account_id" IS NULL AND "image_id" IS NOT NULL"#,
];

const TOTALS: &str = r#"UPDATE "accounts" SET "stored_bytes" = COALESCE(
      (SELECT SUM("byte_size") FROM "stored_objects" WHERE "stored_objects"."account_id" = "accounts"."id"),
      0)"#;

const OPEN_INTENTS: &str = r#"CREATE INDEX "idx_upload_intents_open" ON "upload_intents"
      ("account_id", "expires_at") WHERE "completed_at" IS NULL"#;
const OPEN_OR_NOT: &str = r#"CREATE INDEX "idx_upload_intents_account_expires" ON "upload_intents"
      ("account_id", "expires_at")"#;
const KEYS_IN_BYTE_ORDER: &str = r#"CREATE INDEX "idx_stored_objects_key_bytes" ON "stored_objects"
      ("object_key" COLLATE "C")"#;

/// The seller whose key `key` is (`…sellers/{seller}/{upload}/{file}`), for rows that have
/// lost both their intent and their image (left for gc). Any prefix may come before.
fn seller_in_key(key: &str) -> Option<i64> {
    let parts: Vec<&str> = key.split('/').collect();
    let [.., sellers, seller, _upload, _file] = parts.as_slice() else {
        return None;
    };
    if *sellers != "sellers" {
        return None;
    }
    seller.parse().ok().filter(|id| *id > 0)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(
                        ColumnDef::new(Accounts::StoredBytes)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StoredObjects::Table)
                    .add_column(
                        ColumnDef::new(StoredObjects::AccountId)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;

        for sql in OWNERS_FROM_LINKS {
            db.execute_unprepared(sql).await?;
        }
        let orphans = Query::select()
            .columns([StoredObjects::Id, StoredObjects::ObjectKey])
            .from(StoredObjects::Table)
            .and_where(Expr::col(StoredObjects::AccountId).is_null())
            .to_owned();
        for row in db.query_all(&orphans).await? {
            let id: i64 = row.try_get("", "id")?;
            let key: String = row.try_get("", "object_key")?;
            if let Some(seller) = seller_in_key(&key) {
                let owned = Query::update()
                    .table(StoredObjects::Table)
                    .value(StoredObjects::AccountId, seller)
                    .and_where(Expr::col(StoredObjects::Id).eq(id))
                    .to_owned();
                db.execute(&owned).await?;
            }
        }
        db.execute_unprepared(TOTALS).await?;

        let triggers = match backend {
            DatabaseBackend::Postgres => postgres_triggers(),
            _ => SQLITE_TRIGGERS.map(str::to_owned).to_vec(),
        };
        for sql in triggers {
            db.execute_unprepared(&sql).await?;
        }

        db.execute_unprepared(r#"DROP INDEX "idx_upload_intents_account_expires""#)
            .await?;
        db.execute_unprepared(OPEN_INTENTS).await?;
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared(r#"DROP INDEX "idx_stored_objects_key_bytes""#)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared(KEYS_IN_BYTE_ORDER).await?;
        }
        db.execute_unprepared(r#"DROP INDEX "idx_upload_intents_open""#)
            .await?;
        db.execute_unprepared(OPEN_OR_NOT).await?;
        let drops: &[&str] = match backend {
            DatabaseBackend::Postgres => &DROP_POSTGRES_TRIGGERS,
            _ => &DROP_SQLITE_TRIGGERS,
        };
        for sql in drops {
            db.execute_unprepared(sql).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(StoredObjects::Table)
                    .drop_column(StoredObjects::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::StoredBytes)
                    .to_owned(),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::seller_in_key;

    #[test]
    fn the_seller_is_read_from_a_key_under_any_prefix() {
        assert_eq!(seller_in_key("media/sellers/7/0c1d/display.jpg"), Some(7));
        assert_eq!(seller_in_key("sellers/12/0c1d/thumb.webp"), Some(12));
        assert_eq!(seller_in_key("shop/a/b/sellers/3/x/y.jpg"), Some(3));
        assert_eq!(seller_in_key("media/sellers/7/display.jpg"), None);
        assert_eq!(seller_in_key("media/people/7/0c1d/display.jpg"), None);
        assert_eq!(seller_in_key("media/sellers/x/0c1d/display.jpg"), None);
        assert_eq!(seller_in_key("media/sellers/-1/0c1d/display.jpg"), None);
        assert_eq!(seller_in_key(""), None);
    }
}
