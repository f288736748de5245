//! What makes a name's value a secret, by its shape. Masking ([`crate::render::mask`]) hides
//! such values wherever they are assigned; the env rules ask the same question of an env
//! file's keys.

/// Words of a name (split at `_`, `-`, `.`, upper-cased) that make its value a secret.
const SECRET_WORDS: &[&str] = &[
    "KEY",
    "KEYS",
    "APIKEY",
    "TOKEN",
    "TOKENS",
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "DSN",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "AUTH",
    "PRIVATE",
    "SALT",
    "COOKIE",
];

/// Parts of a name, anywhere in it, that make its value a secret (`PGPASSWORD`, `GHTOKEN`).
const SECRET_PARTS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY", "CREDENTIAL"];

/// Whether a name's value is a secret by shape: one of its words (split at `_`, `-`, `.`) is
/// in [`SECRET_WORDS`] (`*_KEY`, `*_TOKEN`, `*_SECRET`, `*_DSN`, `*_AUTH`, …), or it holds
/// one of [`SECRET_PARTS`] (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, …); case does not matter and
/// leading dashes are dropped (`--password`).
pub fn secret_name(name: &str) -> bool {
    let upper = name.trim_start_matches('-').to_ascii_uppercase();
    upper.split(['_', '-', '.']).any(|w| SECRET_WORDS.contains(&w)) || SECRET_PARTS.iter().any(|p| upper.contains(p))
}
