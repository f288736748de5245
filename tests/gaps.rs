//! The gaps of the crates the design card named and deploylint does not use for that job, each
//! shown against the crate itself, next to what deploylint does instead. When a gap closes
//! upstream, the test says so and the choice can be revisited.

use deploylint::parse::{crontab, envfile};
use deploylint::source::FileId;
use std::str::FromStr;

/// `cron` 0.17 reads weekdays the Quartz way (1 = Sunday) and rejects `0` (Sunday in cron).
#[test]
fn the_cron_crate_uses_quartz_weekdays() {
    // Vixie cron's `0 0 * * 0` (midnight on Sundays), with the seconds field `cron` wants.
    assert!(cron::Schedule::from_str("0 0 0 * * 0").is_err(), "cron now accepts weekday 0");
    assert!(crontab::check_field(4, "0").is_ok());
    // `*/90` is valid cron (fires at minute 0); `cron` rejects it.
    assert!(cron::Schedule::from_str("0 */90 * * * *").is_err(), "cron now accepts */90");
    assert!(crontab::check_field(0, "*/90").is_ok());
}

/// dotenvy 0.15 yields no positions, and rejects the `\t` escape compose reads in double quotes.
#[test]
fn dotenvy_has_no_positions_and_rejects_compose_escapes() {
    let text = "A=1\nB=\"tab\\there\"\nC=3\n";
    let items: Vec<_> = dotenvy::from_read_iter(text.as_bytes()).collect();
    assert!(items.iter().any(|i| i.is_err()), "dotenvy now accepts `\\t`");
    let ours = envfile::parse(FileId(0), text);
    assert!(ours.errors.is_empty());
    let keys: Vec<(&str, usize)> = ours.entries.iter().map(|e| (e.key.value.as_str(), e.key.span.start)).collect();
    assert_eq!(keys, [("A", 0), ("B", 4), ("C", 18)]);
}

/// On the common subset, our env parser reads the same keys as dotenvy.
#[test]
fn env_parser_agrees_with_dotenvy_on_the_common_subset() {
    let text = "# c\nA=1\nexport B=two\nC='x # y'\nD=\"l1\nl2\"\nE=\nINLINE=v # c\n";
    let theirs: Vec<String> = dotenvy::from_read_iter(text.as_bytes()).filter_map(Result::ok).map(|(k, _)| k).collect();
    let ours: Vec<String> = envfile::parse(FileId(0), text).entries.into_iter().map(|e| e.key.value).collect();
    assert_eq!(ours, theirs);
}
