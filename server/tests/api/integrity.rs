//! `vitrine check` and the doctor's "stored images": rows whose objects are gone or replaced
//! are named, and checking changes nothing.

use std::process::Command;

use crate::support::{Db, jpeg, spawn_app, tampered};
use backend::integrity::{self, Damage, Depth};

on_both_databases!(objects_gone_or_replaced_are_named_and_nothing_changes);

async fn objects_gone_or_replaced_are_named_and_nothing_changes(db: Db) {
    let app = spawn_app(db).await;
    let store = &app.state.store;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let sound = integrity::check(&app.state.db, store, Depth::Contents)
        .await
        .unwrap();
    assert_eq!((sound.images_checked, sound.damaged.len()), (0, 0));

    let gone = ana.upload_photo(product.id).await;
    let replaced = ana.upload_photo(product.id).await;
    let intact = ana.upload_photo(product.id).await;
    let swapped = ana.upload_photo(product.id).await;
    let keys = app.recorded_keys().await;
    assert_eq!(keys.len(), 4);
    // What shops that moved to buckets know: a file deleted by hand, another overwritten.
    let (gone_key, replaced_key) = (
        key_of_image(&app, gone.image_id).await,
        key_of_image(&app, replaced.image_id).await,
    );
    store.delete(&gone_key).await.unwrap();
    store
        .put(&replaced_key, jpeg(9, 9), "image/jpeg")
        .await
        .unwrap();
    // The worst case: another file of the same size and type, which a HEAD cannot tell apart.
    let swapped_key = key_of_image(&app, swapped.image_id).await;
    let original = store.read_prefix(&swapped_key, 1 << 30).await.unwrap();
    store
        .put(&swapped_key, tampered(&original), "image/jpeg")
        .await
        .unwrap();

    let report = integrity::check(&app.state.db, store, Depth::Heads)
        .await
        .unwrap();
    assert_eq!((report.images_checked, report.objects_checked), (4, 4));
    assert_eq!(report.damaged_images(), 2, "{report:#?}");
    assert_eq!(report.damaged[0].image_id, gone.image_id);
    assert_eq!(report.damaged[0].damage, Damage::Missing);
    assert_eq!(report.damaged[0].seller, "ana@shop.example");
    assert_eq!(report.damaged[1].image_id, replaced.image_id);
    assert!(
        matches!(report.damaged[1].damage, Damage::SizeDiffers { .. }),
        "{:?}",
        report.damaged[1]
    );

    // Reading every byte finds the swapped file too, and only adds it.
    let deep = integrity::check(&app.state.db, store, Depth::Contents)
        .await
        .unwrap();
    assert_eq!(deep.damaged_images(), 3, "{deep:#?}");
    assert_eq!(deep.damaged[..2], report.damaged[..]);
    assert_eq!(deep.damaged[2].image_id, swapped.image_id);
    assert_eq!(deep.damaged[2].damage, Damage::ContentDiffers);

    // The seller's page asks about one picture it could not load; nobody else may ask.
    let asked: Vec<app::api::DamagedVariant> = ana
        .call_form("check_image", &[("image_id", &gone.image_id.to_string())])
        .await
        .unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].damage, Damage::Missing);
    let sound: Vec<app::api::DamagedVariant> = ana
        .call_form("check_image", &[("image_id", &intact.image_id.to_string())])
        .await
        .unwrap();
    assert!(sound.is_empty());
    let (eve, _) = app.seller_with_product("eve@shop.example").await;
    let refused = eve
        .call_form::<Vec<app::api::DamagedVariant>>(
            "check_image",
            &[("image_id", &gone.image_id.to_string())],
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("not found"), "{refused}");

    // Checking only reads: every row is still there, and the seller still sees four images.
    assert_eq!(app.recorded_keys().await, keys);
    assert_eq!(ana.gallery(product.id).await.unwrap().len(), 4);

    // The command operators run says the same, and fails so scripts notice.
    if matches!(db, Db::Sqlite) {
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_vitrine"))
                .args(args)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("VITRINE_DATA_DIR", &app.data_dir)
                .env("RUST_LOG", "off")
                .output()
                .unwrap();
            assert!(!out.status.success());
            let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            (rows.as_array().unwrap().clone(), stderr)
        };
        let (rows, stderr) = run(&["check", "--json"]);
        assert_eq!(rows.len(), 2, "{rows:#?}");
        assert_eq!(rows[0]["key"], gone_key.as_str());
        assert_eq!(rows[0]["problem"], "missing from the store");
        assert!(stderr.contains("2 image(s)"), "{stderr}");
        let (rows, stderr) = run(&["check", "--json", "--checksums"]);
        assert_eq!(rows.len(), 3, "{rows:#?}");
        assert_eq!(rows[2]["key"], swapped_key.as_str());
        assert!(
            rows[2]["problem"]
                .as_str()
                .unwrap()
                .contains("its SHA-256 differs")
        );
        assert!(stderr.contains("3 image(s)"), "{stderr}");
    }
}

async fn key_of_image(app: &crate::support::TestApp, image_id: i64) -> String {
    use backend::entities::stored_object;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.eq(image_id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .object_key
}
