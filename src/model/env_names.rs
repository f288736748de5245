//! Whether the repository names an env key anywhere a reader could: the question DPL303 asks
//! before it says that nothing reads a key. It errs towards "named": a key is named by any
//! word of the files deploylint reads (code, Dockerfiles, compose files, scripts, Makefiles, CI
//! files; not Markdown, not env files), in the forms code and config libraries bind env names
//! with.

use super::Model;
use crate::source::Kind;
use std::collections::BTreeSet;

/// The forms of a word that name an env key: upper-cased with `.` and `-` as `_`
/// (`db.host` → `DB_HOST`), and a camel-cased word split at its humps (`dbHost`, `DBHost` →
/// `DB_HOST`).
fn forms(word: &str) -> Vec<String> {
    let upper = word.to_ascii_uppercase().replace(['.', '-'], "_");
    let b = word.as_bytes();
    let camel = b.iter().any(u8::is_ascii_lowercase) && b.iter().skip(1).any(u8::is_ascii_uppercase);
    if !camel {
        return vec![upper];
    }
    let mut snake = String::with_capacity(word.len() + 4);
    for (i, &c) in b.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| b.get(j)).copied();
        let next = b.get(i + 1).copied();
        let hump = c.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase()) && next.is_some_and(|n| n.is_ascii_lowercase())));
        if hump && !snake.ends_with('_') {
            snake.push('_');
        }
        snake.push(match c {
            b'.' | b'-' => '_',
            c => c.to_ascii_uppercase() as char,
        });
    }
    vec![upper, snake]
}

impl Model {
    /// The keys among `keys` that a file deploylint reads names:
    /// - whole, in any of the [forms] (`os.Getenv("DB_HOST")`, `${DB_HOST}`, `db_host`,
    ///   `db.host`, `dbHost`);
    /// - by a word that starts or ends with `_` and begins or ends the key (`"APP_"`, `"_URL"`:
    ///   a key built at run time from a prefix or a suffix);
    /// - in two parts, a prefix and a name of several words (`MYAPP` and `DB_HOST` for
    ///   `MYAPP_DB_HOST`: a prefix a config library joins to the names it reads).
    ///
    /// Env files are not searched (they set keys), except a `.env.schema`, which names the keys
    /// its program reads.
    pub fn keys_named_in_files(&self, keys: &BTreeSet<String>) -> BTreeSet<String> {
        if keys.is_empty() {
            return BTreeSet::new();
        }
        // The words that would name a key, whole or as one of its two parts.
        let mut wanted: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
        for k in keys {
            for (i, _) in k.match_indices('_') {
                let (prefix, name) = (&k[..i], &k[i + 1..]);
                if !prefix.is_empty() && name.contains('_') && !name.starts_with('_') {
                    wanted.insert(prefix);
                    wanted.insert(name);
                }
            }
        }
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut affixes: BTreeSet<String> = BTreeSet::new();
        let mut note = |word: &str| {
            if word.len() < 2 {
                return;
            }
            for form in forms(word) {
                if form.len() >= 3 && (form.starts_with('_') || form.ends_with('_')) {
                    affixes.insert(form.clone());
                }
                if wanted.contains(form.as_str()) {
                    found.insert(form);
                }
            }
        };
        for (_, f) in self.sources.iter() {
            // An env file names the keys it sets, not the ones something reads; a `.env.schema`
            // names the keys its program reads.
            let env_file = f.kind == Kind::EnvFile && !super::env_schema::is_schema(&f.path);
            if env_file || matches!(f.kind, Kind::Markdown | Kind::GitIgnore | Kind::DockerIgnore) {
                continue;
            }
            for word in f.text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))) {
                let word = word.trim_matches(['.', '-']);
                note(word);
                if word.contains(['.', '-']) {
                    for part in word.split(['.', '-']) {
                        note(part);
                    }
                }
            }
        }
        // Keys the code model reads: also those a library composes from a prefix and a field
        // (envconfig, caarlos0/env), which no file spells out.
        let code_keys: BTreeSet<String> = self
            .code
            .binaries
            .iter()
            .filter(|b| b.lang == super::code::Lang::Go)
            .flat_map(|b| self.code.go.env_reads(&b.dir).0)
            .map(|r| r.key.value)
            .collect();
        keys.iter()
            .filter(|k| {
                found.contains(k.as_str())
                    || code_keys.contains(k.as_str())
                    || affixes
                        .iter()
                        .any(|a| (a.ends_with('_') && k.starts_with(a)) || (a.starts_with('_') && k.ends_with(a)))
                    || k.match_indices('_').any(|(i, _)| {
                        let (prefix, name) = (&k[..i], &k[i + 1..]);
                        !prefix.is_empty() && name.contains('_') && found.contains(prefix) && found.contains(name)
                    })
            })
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_keys_in_the_forms_libraries_bind() {
        assert_eq!(forms("db.host"), ["DB_HOST"]);
        assert_eq!(forms("DB_HOST"), ["DB_HOST"]);
        assert_eq!(forms("dbHost"), ["DBHOST", "DB_HOST"]);
        assert_eq!(forms("DBHost"), ["DBHOST", "DB_HOST"]);
        assert_eq!(forms("APIKey2Rotate"), ["APIKEY2ROTATE", "API_KEY2_ROTATE"]);
        assert_eq!(forms("database_url"), ["DATABASE_URL"]);
    }
}
