//! Holds the crontab parser's verdicts on schedules to Debian's cron: `tests/cron-agreement/
//! debian-cron.tsv` records, for every schedule of `expressions.txt`, whether Debian's
//! `crontab -u USER FILE` installs a crontab of that one line (`record.sh` re-records it).
//! Where deploylint disagrees on purpose, `differences.tsv` says why; every other verdict
//! must agree, and every listed difference must still be one.

use deploylint::parse::crontab;
use deploylint::source::FileId;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cron-agreement")
}

/// Rows of a two-column TSV (comments and blank lines left out).
fn rows(name: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir().join(name)).unwrap_or_default();
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Whether deploylint reads the line as a valid user crontab entry.
fn accepts(schedule: &str) -> bool {
    let text = format!("{schedule} /bin/true\n");
    let c = crontab::parse(FileId(0), &text, 0);
    c.errors.is_empty() && c.entries.len() == 1 && c.entries.iter().all(|e| e.schedule_error.is_none())
}

#[test]
fn the_parser_agrees_with_debian_cron_on_the_recorded_schedules() {
    let table = rows("debian-cron.tsv");
    let expressions: Vec<String> = std::fs::read_to_string(dir().join("expressions.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let recorded: Vec<&String> = table.iter().map(|(e, _)| e).collect();
    assert_eq!(recorded, expressions.iter().collect::<Vec<_>>(), "debian-cron.tsv is stale: run record.sh");
    let differences: BTreeMap<String, String> = rows("differences.tsv").into_iter().collect();
    let mut failures = Vec::new();
    let (mut agree, mut differ) = (0, 0);
    for (expr, verdict) in &table {
        assert!(matches!(verdict.as_str(), "accept" | "reject"), "{expr}: verdict {verdict}");
        let debian = verdict == "accept";
        let ours = accepts(expr);
        match (ours == debian, differences.get(expr)) {
            (true, None) => agree += 1,
            (false, Some(_)) => differ += 1,
            (true, Some(why)) => failures.push(format!("`{expr}`: listed as a difference ({why}) but both {verdict}")),
            (false, None) => failures.push(format!(
                "`{expr}`: Debian's cron would {verdict}, deploylint would {}",
                if ours { "accept" } else { "reject" }
            )),
        }
    }
    for expr in differences.keys() {
        if !table.iter().any(|(e, _)| e == expr) {
            failures.push(format!("`{expr}`: in differences.tsv but not in the table"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The agreement, for whoever reads the test output with --nocapture.
    println!("{} schedules: {agree} agree with Debian's cron, {differ} differ on purpose", table.len());
    assert_eq!(agree + differ, table.len());
    assert!(table.len() >= 100, "the table holds {} schedules", table.len());
}
