//! `vitrine user add EMAIL [--admin]`: accounts made by the operator.

use std::io::Read;

use backend::Settings;
use domain::Role;
use rand::Rng;

use crate::cli::CliError;

pub(in crate::cli) async fn add(
    settings: &Settings,
    email: &str,
    admin: bool,
    password_stdin: bool,
) -> Result<(), CliError> {
    let (password, generated) = if password_stdin {
        let mut raw = String::new();
        std::io::stdin()
            .read_to_string(&mut raw)
            .map_err(CliError::Stdin)?;
        (raw.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (generate_password(), true)
    };
    let db = backend::db::connect(&settings.database_url)
        .await
        .map_err(CliError::Database)?;
    backend::db::migrate(&db)
        .await
        .map_err(CliError::doing("cannot apply migrations"))?;
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

pub(in crate::cli) fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}
