//! `vitrine user add EMAIL [--admin]` and `vitrine user passwd EMAIL`: accounts made and
//! taken back by the operator.

use std::io::Read;

use backend::Settings;
use domain::Role;
use rand::Rng;

use crate::cli::CliError;

/// The password given on standard input, or a generated one (and whether it was generated).
fn new_password(password_stdin: bool) -> Result<(String, bool), CliError> {
    if password_stdin {
        let mut raw = String::new();
        std::io::stdin()
            .read_to_string(&mut raw)
            .map_err(CliError::Stdin)?;
        Ok((raw.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((generate_password(), true))
    }
}

async fn database(settings: &Settings) -> Result<backend::db::DatabaseConnection, CliError> {
    let db = backend::db::connect(&settings.database_url)
        .await
        .map_err(CliError::Database)?;
    backend::db::migrate(&db)
        .await
        .map_err(CliError::doing("cannot apply migrations"))?;
    Ok(db)
}

pub(in crate::cli) async fn add(
    settings: &Settings,
    email: &str,
    admin: bool,
    password_stdin: bool,
) -> Result<(), CliError> {
    let (password, generated) = new_password(password_stdin)?;
    let db = database(settings).await?;
    let role = if admin { Role::Admin } else { Role::Seller };
    let account = backend::accounts::create(
        &db,
        email,
        password.as_str(),
        role,
        backend::accounts::Origin::MadeByOperator,
    )
    .await
    .map_err(CliError::doing("cannot create the account"))?;
    println!("created {} account {}", role.as_str(), account.email);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

pub(in crate::cli) async fn passwd(
    settings: &Settings,
    email: &str,
    password_stdin: bool,
) -> Result<(), CliError> {
    let (password, generated) = new_password(password_stdin)?;
    let db = database(settings).await?;
    let account = backend::accounts::set_password(&db, email, password.as_str())
        .await
        .map_err(CliError::doing("cannot change the password"))?;
    println!(
        "new password for {}: every session ended, every browser forgotten",
        account.email
    );
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

pub(in crate::cli) fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}
