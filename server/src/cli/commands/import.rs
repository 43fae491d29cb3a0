//! `vitrine import SOURCE`: an old shop's photos into products, idempotently, with a map of
//! where each old path went.

use std::io::Write as _;

use backend::Settings;
use backend::import::{self, Item, Location, Outcome, Reach, Source};

use super::command_state;
use crate::cli::CliError;
use crate::cli::args::ImportArgs;
use crate::startup::Schema;

pub(in crate::cli) async fn import(settings: Settings, args: ImportArgs) -> Result<(), CliError> {
    let schema = if args.dry_run {
        Schema::AsIs
    } else {
        Schema::Migrate
    };
    let state = command_state(settings, schema).await?;
    let location = Location::parse(&args.source).map_err(CliError::doing("SOURCE"))?;
    // A mistyped folder is said before anything is done (sellers made, rows skipped).
    if let Location::Folder(dir) = &location
        && !dir.is_dir()
    {
        return Err(CliError::Read {
            path: dir.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such folder (SOURCE is the old MEDIA_ROOT, or s3://BUCKET[/PREFIX])",
            ),
        });
    }
    let reach = Reach {
        endpoint: args.source_endpoint.clone(),
        region: args.source_region.clone(),
        keys: std::env::var("VITRINE_IMPORT_AWS_ACCESS_KEY_ID")
            .ok()
            .zip(std::env::var("VITRINE_IMPORT_AWS_SECRET_ACCESS_KEY").ok()),
    };
    let source = Source::open(location, &state.store, &state.settings.key_prefix, &reach).await;
    let items = match (&args.manifest, &args.seller, &args.product) {
        (Some(csv), _, _) => {
            let text = std::fs::read_to_string(csv).map_err(|source| CliError::Read {
                path: csv.clone(),
                source,
            })?;
            import::manifest(&text)
        }
        (None, Some(seller), Some(product)) => source
            .list()
            .await
            .map(|files| import::listed(files, seller, product)),
        _ => {
            return Err(CliError::Usage(
                "give --seller and --product, or --manifest",
            ));
        }
    }
    .map_err(CliError::doing("cannot read the photos to import"))?;
    // A mistyped prefix, an empty folder or a manifest of headers alone: said, not "imported 0".
    if items.is_empty() {
        return Err(CliError::Findings(
            if args.manifest.is_some() {
                "nothing to import: the manifest has no rows below its header"
            } else {
                "nothing to import: SOURCE holds no photos (check its path or prefix)"
            }
            .into(),
        ));
    }
    if let (true, Some(out)) = (args.create_sellers, &args.passwords_out) {
        create_sellers(&state, &items, out, args.dry_run).await?;
    }

    let bar = indicatif::ProgressBar::new(items.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .map_err(|e| CliError::Internal(e.to_string()))?,
    );
    let (mut imported, mut there, mut skipped) = (0, 0, 0);
    let mut placed: Vec<(&Item, i64)> = Vec::new();
    for item in &items {
        let shown = source.describe(&item.source);
        bar.set_message(shown.clone());
        let run = import::Run {
            approve: args.approve,
            dry_run: args.dry_run,
            create_sellers: args.create_sellers,
            trust_site_accounts: args.trust_site_accounts,
        };
        let outcome = import::import_one(&state, &source, item, run)
            .await
            .map_err(|source| CliError::Backend {
                doing: format!("{shown} (nothing of it was registered; run the import again)"),
                source,
            })?;
        let line = match outcome {
            Outcome::Imported { image_id } => {
                imported += 1;
                placed.push((item, image_id));
                format!("imported  {shown} (image {image_id})")
            }
            Outcome::WouldImport => {
                imported += 1;
                format!("would import {shown}")
            }
            Outcome::AlreadyThere { image_id } => {
                there += 1;
                placed.push((item, image_id));
                format!("unchanged {shown} (imported before, image {image_id})")
            }
            Outcome::Skipped(why) => {
                skipped += 1;
                format!("skipped   {shown}: {why}")
            }
        };
        // Lines go to stdout even when the bar is hidden (no terminal, as in scripts).
        bar.suspend(|| println!("{line}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let verb = if args.dry_run {
        "would import"
    } else {
        "imported"
    };
    println!("{verb} {imported}, already there {there}, skipped {skipped}");
    if imported == 0 && there == 0 && skipped > 0 {
        return Err(CliError::Findings(
            "nothing could be imported: every row was skipped, each saying why above".into(),
        ));
    }
    if let (Some(path), false) = (&args.map_out, args.dry_run) {
        write_map(&state, path, &placed).await?;
        println!("wrote where each old path went to {}", path.display());
    }
    Ok(())
}

/// Accounts for the sellers `items` name who have none, each with a generated password
/// appended to `out` (created readable by its owner only), never printed.
async fn create_sellers(
    state: &backend::AppState,
    items: &[Item],
    out: &std::path::Path,
    dry_run: bool,
) -> Result<(), CliError> {
    let mut sellers: Vec<&str> = items.iter().map(|i| i.seller.as_str()).collect();
    sellers.sort_unstable();
    sellers.dedup();
    let write_error = |source| CliError::Write {
        path: out.to_owned(),
        source,
    };
    let mut file = None;
    for email in sellers {
        // Not an address: its rows are skipped, saying why; the run goes on.
        if domain::Email::parse(email).is_err() {
            continue;
        }
        let known = backend::accounts::by_email(&state.db, email)
            .await
            .map_err(CliError::doing("cannot look up a seller"))?;
        if known.is_some() {
            continue;
        }
        if dry_run {
            println!("would create seller {email}");
            continue;
        }
        // The file is opened before the first account is made: a password that cannot be kept
        // must not leave an account nobody can sign in to.
        if file.is_none() {
            let mut options = std::fs::OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            file = Some(options.open(out).map_err(write_error)?);
        }
        let password = super::user::generate_password();
        let account = backend::accounts::create(
            &state.db,
            email,
            password.as_str(),
            domain::Role::Seller,
            backend::accounts::Origin::MadeByOperator,
        )
        .await
        .map_err(|source| CliError::Backend {
            doing: format!("cannot create seller {email}"),
            source,
        })?;
        if let Some(file) = file.as_mut() {
            writeln!(file, "{},{password}", account.email)
                .and_then(|()| file.sync_data())
                .map_err(write_error)?;
        }
        println!(
            "created seller {} (password in {})",
            account.email,
            out.display()
        );
    }
    Ok(())
}

/// `source,image_id,status,url` for each imported picture: the URL is where its display
/// variant stays (shown to shoppers once approved).
async fn write_map(
    state: &backend::AppState,
    path: &std::path::Path,
    placed: &[(&Item, i64)],
) -> Result<(), CliError> {
    let write_error = |source| CliError::Write {
        path: path.to_owned(),
        source,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(write_error)?);
    writeln!(out, "source,image_id,status,url").map_err(write_error)?;
    for (item, image_id) in placed {
        let Some((status, url)) = import::whereabouts(state, *image_id)
            .await
            .map_err(CliError::doing("cannot look up an imported image"))?
        else {
            continue;
        };
        writeln!(
            out,
            "{},{image_id},{},{}",
            csv_field(&item.source),
            status.as_str(),
            csv_field(&url)
        )
        .map_err(write_error)?;
    }
    out.flush().map_err(write_error)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
