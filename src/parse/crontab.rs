//! Crontabs: environment lines, `@macro` entries and five-field entries, validated the way
//! cronie's `entry.c` reads them (numbers, 3-letter names for months and weekdays, `a-b` ranges,
//! `/step` only after `*` or a range, lists, weekday 0-7, cronie's random `a~b`). Three formats:
//! a user crontab (`crontab -e`), a system crontab (`/etc/cron.d`, `/etc/crontab`: a user name
//! between the schedule and the command) and one read by a cron that is not Vixie's (BusyBox
//! crond, supercronic), for which Debian's quirks do not matter.
//!
//! Debian's cron reads a field up to its first character that does not belong and ignores the
//! rest (`1-2-3` is `1-2`, `5#3` is `5`); cronie refuses those fields. Both are errors here, and
//! the message says how Debian would misread them.

use super::ParseError;
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronEntry {
    /// The schedule as written (`0 2 * * *` or `@daily`).
    pub schedule: Spanned<String>,
    /// The command, raw, to the end of the line.
    pub command: Spanned<String>,
    /// Why the schedule is invalid, at the offending field.
    pub schedule_error: Option<(Span, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Crontab {
    pub entries: Vec<CronEntry>,
    pub errors: Vec<ParseError>,
    /// The values of the environment lines (`KEY=value`), after the `=`.
    pub env_values: Vec<Span>,
    /// What some cron implementations refuse while others read it (the message names them).
    pub reader_issues: Vec<ParseError>,
}

/// Which cron reads a crontab, as far as its format goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// A user crontab, installed with `crontab FILE` or `crontab -e` (Vixie cron, cronie).
    #[default]
    User,
    /// `/etc/cron.d/*` or `/etc/crontab`: the sixth field is the user the command runs as.
    System,
    /// Read by BusyBox crond (Alpine's `/etc/crontabs/USER`): Debian's refusals do not apply.
    BusyBox,
    /// Read by supercronic: schedules in cronexpr's syntax (seconds and years allowed), not
    /// checked here; Debian's refusals do not apply.
    Supercronic,
}

impl Format {
    /// Whether Debian's `crontab`/cron may be the reader.
    fn debian_may_read(self) -> bool {
        matches!(self, Format::User | Format::System)
    }
}

const MACROS: &[&str] = &["@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

struct FieldSpec {
    what: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    first_name: u32,
}

const FIELDS: [FieldSpec; 5] = [
    FieldSpec { what: "minute", min: 0, max: 59, names: &[], first_name: 0 },
    FieldSpec { what: "hour", min: 0, max: 23, names: &[], first_name: 0 },
    FieldSpec { what: "day-of-month", min: 1, max: 31, names: &[], first_name: 0 },
    FieldSpec { what: "month", min: 1, max: 12, names: MONTHS, first_name: 1 },
    FieldSpec { what: "day-of-week", min: 0, max: 7, names: DAYS, first_name: 0 },
];

fn number(spec: &FieldSpec, s: &str) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = s.parse().ok()?;
        return (spec.min..=spec.max).contains(&n).then_some(n);
    }
    let lower = s.to_ascii_lowercase();
    spec.names.iter().position(|n| *n == lower).map(|i| i as u32 + spec.first_name)
}

/// A name or a number at the start of `s`, as cron reads one: a run of letters and digits
/// that must be all digits or a name (`15W` is neither).
fn leading_value(spec: &FieldSpec, s: &str) -> (Option<u32>, usize) {
    let len = s.bytes().take_while(u8::is_ascii_alphanumeric).count();
    (s.get(..len).and_then(|w| number(spec, w)), len)
}

/// Checks one field; the error names the field like cron does (`bad minute`), and says how
/// Debian's cron would misread a field it reads only in part.
pub fn check_field(index: usize, field: &str) -> Result<(), String> {
    let Some(spec) = FIELDS.get(index) else {
        return Err("too many fields".to_string());
    };
    let bad = || Err(format!("bad {} `{field}`", spec.what));
    let mut i = 0;
    loop {
        let rest = field.get(i..).unwrap_or("");
        // A range: `*`, `a`, `a-b`, or cronie's random `a~b` (either end optional).
        let is_range = if rest.starts_with('*') {
            i += 1;
            true
        } else {
            let (first, len) = leading_value(spec, rest);
            let after = rest.get(len..).unwrap_or("");
            if after.starts_with('~') {
                let (last, len2) = leading_value(spec, after.get(1..).unwrap_or(""));
                let first_ok = len == 0 || first.is_some();
                let last_ok = len2 == 0 || last.is_some();
                if !first_ok || !last_ok || first.zip(last).is_some_and(|(a, b)| a > b) {
                    return bad();
                }
                i += len + 1 + len2;
                false
            } else {
                if first.is_none() {
                    return bad();
                }
                i += len;
                if after.starts_with('-') {
                    let (last, len2) = leading_value(spec, after.get(1..).unwrap_or(""));
                    if last.is_none() {
                        return bad();
                    }
                    i += 1 + len2;
                    true
                } else {
                    false
                }
            }
        };
        let rest = field.get(i..).unwrap_or("");
        if let Some(step) = rest.strip_prefix('/') {
            let digits = step.bytes().take_while(u8::is_ascii_digit).count();
            let step = step.get(..digits).and_then(|d| d.parse::<u32>().ok());
            if !is_range || step.is_none_or(|n| n == 0) {
                return bad();
            }
            i += 1 + digits;
        }
        let rest = field.get(i..).unwrap_or("");
        if rest.is_empty() {
            return Ok(());
        }
        if let Some(next) = rest.strip_prefix(',') {
            if next.is_empty() {
                return bad();
            }
            i += 1;
            continue;
        }
        let read = field.get(..i).unwrap_or("");
        return Err(format!(
            "bad {} `{field}`: cron would misread this (Debian's cron reads `{read}` and ignores `{rest}`; cronie refuses it)",
            spec.what
        ));
    }
}

/// An environment setting as Vixie cron reads one: a name (anything up to blanks or `=`, or
/// quoted), blanks, `=`. Returns whether the value is empty and unquoted.
fn env_line(line: &str) -> Option<bool> {
    let rest = match line.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let close = line.get(1..)?.find(q)?;
            line.get(close + 2..)?
        }
        _ => line.trim_start_matches(|c: char| !c.is_whitespace() && c != '='),
    };
    let value = rest.trim_start().strip_prefix('=')?;
    Some(value.trim().is_empty())
}

/// Parses a whole user crontab; `base` is added to every span (for crontab lines inside a
/// runbook).
pub fn parse(file: FileId, text: &str, base: usize) -> Crontab {
    parse_as(file, text, base, Format::User)
}

/// Parses a whole crontab of the given format.
pub fn parse_as(file: FileId, text: &str, base: usize, format: Format) -> Crontab {
    let mut out = Crontab::default();
    let mut offset = 0;
    let mut last_line = None;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let start = base + line_start + indent;
        let span = Span::new(file, start..start + trimmed.trim_end().len());
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        last_line = (!raw_line.ends_with('\n')).then_some(span);
        if let Some(empty) = env_line(trimmed) {
            let eq = trimmed.find('=').map_or(trimmed.len(), |p| p + 1);
            out.env_values.push(Span::new(file, start + eq..start + trimmed.len()));
            if empty && format.debian_may_read() {
                let name = trimmed.split('=').next().unwrap_or("").trim();
                out.reader_issues.push(ParseError {
                    span,
                    message: format!(
                        "`{name}=` with nothing after it: Debian's cron reads this line as a schedule and refuses the whole crontab (cronie accepts it); write `{name}=\"\"`"
                    ),
                });
            }
            continue;
        }
        if let Some(entry) = parse_entry_as(file, trimmed, start, format) {
            out.entries.push(entry);
        } else {
            out.errors.push(ParseError {
                span: Span::new(file, start..start + trimmed.len()),
                message: "not a crontab entry or an environment setting".to_string(),
            });
        }
    }
    if let (Some(span), true) = (last_line, format.debian_may_read()) {
        out.reader_issues.push(ParseError {
            span,
            message: "the last line has no line break: Debian's `crontab FILE` refuses the file (\"premature EOF\") and Vixie cron skips that line; BusyBox crond and supercronic read it".to_string(),
        });
    }
    out
}

/// Splits off whitespace-separated words with their byte offsets.
fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c == ' ' || c == '\t' {
            if let Some(st) = start.take() {
                out.push((st, &s[st..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

/// Parses one user-crontab entry line (already trimmed on the left, starting at byte `start`
/// of the file). `None` when the line does not look like an entry at all.
pub fn parse_entry(file: FileId, line: &str, start: usize) -> Option<CronEntry> {
    parse_entry_as(file, line, start, Format::User)
}

/// Parses one entry line of a crontab of the given format.
pub fn parse_entry_as(file: FileId, line: &str, start: usize, format: Format) -> Option<CronEntry> {
    let first = line.chars().next()?;
    if !(first.is_ascii_digit() || matches!(first, '*' | '@' | '~')) {
        return None;
    }
    let ws = words(line);
    let span_of = |(o, w): (usize, &str)| Span::new(file, start + o..start + o + w.len());
    // A system crontab names the user between the schedule and the command.
    let user = usize::from(format == Format::System);
    let command_of = |at: usize| {
        let command_at = ws.get(at).map_or(line.len(), |(o, _)| *o);
        Spanned::new(line[command_at..].to_string(), Span::new(file, start + command_at..start + line.len()))
    };
    if first == '@' {
        let (o, m) = *ws.first()?;
        let command = command_of(1 + user);
        let mut error = None;
        if !MACROS.contains(&m) && format != Format::Supercronic {
            error = Some((span_of((o, m)), format!("bad time specifier `{m}`")));
        } else if command.value.trim().is_empty() {
            error = Some((span_of((o, m)), no_command(user)));
        }
        return Some(CronEntry {
            schedule: Spanned::new(m.to_string(), span_of((o, m))),
            command,
            schedule_error: error,
        });
    }
    // supercronic also takes a seconds field and a year field (6 or 7 fields).
    let mut count = 5;
    if format == Format::Supercronic {
        while count < 7 && ws.get(count + 1).is_some() && ws.get(count).is_some_and(|(_, w)| looks_like_field(w)) {
            count += 1;
        }
    }
    let fields: Vec<(usize, &str)> = ws.iter().take(count).copied().collect();
    let last = fields.last().copied().unwrap_or((0, ""));
    let schedule_end = last.0 + last.1.len();
    let schedule = Spanned::new(line[..schedule_end].to_string(), Span::new(file, start..start + schedule_end));
    let command = command_of(count + user);
    let mut error = None;
    if format != Format::Supercronic {
        for (i, &(o, w)) in fields.iter().enumerate() {
            if let Err(e) = check_field(i, w) {
                error = Some((span_of((o, w)), e));
                break;
            }
        }
    }
    if error.is_none() && fields.len() < 5 {
        error = Some((schedule.span, format!("only {} of the 5 schedule fields", fields.len())));
    }
    if error.is_none() && format != Format::Supercronic {
        match ws.get(5) {
            Some(&(o, w)) if w.starts_with('*') => {
                error = Some((span_of((o, w)), "a sixth schedule field: cron takes 5 (no seconds)".to_string()));
            }
            _ if command.value.trim().is_empty() => error = Some((schedule.span, no_command(user))),
            _ => {}
        }
    }
    Some(CronEntry { schedule, command, schedule_error: error })
}

fn no_command(user: usize) -> String {
    if user == 1 { "no user or no command after the schedule" } else { "no command after the schedule" }.to_string()
}

/// Whether a word can be a cron field (for the optional fields supercronic reads).
fn looks_like_field(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/' | '?' | '#'))
        && w.chars().any(|c| c.is_ascii_digit() || c == '*' || c == '?')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(expr: &str) -> bool {
        let line = format!("{expr} /bin/true");
        parse_entry(FileId(0), &line, 0).is_some_and(|e| e.schedule_error.is_none())
    }

    /// Verdicts of Debian's cron 3.0pl1 / cronie 1.7 on the expressions of the dependency
    /// study (the `cron` crate, with Quartz weekday numbering, gets 15 of these wrong).
    #[test]
    fn agrees_with_vixie_cron() {
        let accept = [
            "*/15 * * * *",
            "0 3 * * *",
            "30 2 * * 1-5",
            "0 9 * * MON-FRI",
            "0 0 1 JAN *",
            "0 0 * * 7",
            "0 0 * * 0",
            "5,35 * * * *",
            "0 */2 * * *",
            "0-30/10 8-18 * * mon,wed,fri",
            "0 12 * jan-mar sun",
            "59 23 31 12 *",
            "0 0 1-7 * 1",
            "0 0 */2 * 1",
            "*/90 * * * *",
            "0 0 * * fri-sun",
            "@daily",
            "@hourly",
            "@reboot",
            "@yearly",
            "@midnight",
            "@weekly",
            "5-1 * * * *",
        ];
        let reject = [
            "60 * * * *",
            "* 24 * * *",
            "0 0 0 * *",
            "0 0 * 13 *",
            "0 0 * * 8",
            "0 0 L * *",
            "0 0 15W * *",
            "0 0 ? * MON",
            "0 0 * * 1L",
            "*/0 * * * *",
            "5/15 * * * *",
            "0 0 * * MONDAY",
            "@every 5m",
            "@DAILY",
            "0 0 * * * *",
        ];
        for e in accept {
            assert!(verdict(e), "should accept {e}");
        }
        for e in reject {
            assert!(!verdict(e), "should reject {e}");
        }
        // Four fields: the command becomes the fifth field.
        assert!(!verdict("0 0 * *"));
    }

    fn error_of(expr: &str) -> Option<String> {
        let line = format!("{expr} /bin/true");
        parse_entry(FileId(0), &line, 0).and_then(|e| e.schedule_error).map(|(_, why)| why)
    }

    /// Debian's cron installs these and reads only part of a field; cronie refuses them.
    #[test]
    fn fields_debian_reads_in_part_say_so() {
        for (expr, read) in [
            ("1-2-3 * * * *", "1-2"),
            ("*-5 * * * *", "*"),
            ("*/5/2 * * * *", "*/5"),
            ("*/5-10 * * * *", "*/5"),
            ("0 0 * * 5#3", "5"),
            ("** * * * *", "*"),
            ("1.5 * * * *", "1"),
        ] {
            let why = error_of(expr).unwrap_or_default();
            assert!(why.contains("would misread") && why.contains(&format!("reads `{read}`")), "{expr}: {why}");
        }
        for expr in ["0 0 15W * *", "5/15 * * * *", "60 * * * *", "1, * * * *"] {
            let why = error_of(expr).unwrap_or_default();
            assert!(why.starts_with("bad") && !why.contains("misread"), "{expr}: {why}");
        }
    }

    /// cronie's random ranges.
    #[test]
    fn tilde_ranges_are_cronie_syntax() {
        for expr in ["0~30 * * * *", "~ 2 * * *", "10~ * * * *", "~15 * * * *", "0 1~5 * * *"] {
            assert!(verdict(expr), "should accept {expr}");
        }
        for expr in ["30~0 * * * *", "0~60 * * * *"] {
            assert!(!verdict(expr), "should reject {expr}");
        }
    }

    #[test]
    fn env_lines_are_read_as_vixie_cron_reads_them() {
        let c = parse(FileId(0), "A-B=x\nmy.var = y\n=z\n\"Q R\"=1\nMAILTO=\"\"\n0 1 * * * run\n", 0);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert!(c.reader_issues.is_empty(), "{:?}", c.reader_issues);
        assert_eq!(c.entries.len(), 1);
        let c = parse(FileId(0), "MAILTO=\n0 1 * * * run\n", 0);
        assert!(c.reader_issues.first().is_some_and(|i| i.message.contains("Debian") && i.span.start == 0));
    }

    #[test]
    fn a_missing_final_line_break_is_a_reader_issue_for_vixie_cron_only() {
        let text = "# nightly\n0 1 * * * run";
        let c = parse(FileId(0), text, 0);
        assert!(c.reader_issues.first().is_some_and(|i| i.message.contains("no line break") && i.span.start == 10));
        assert!(parse_as(FileId(0), text, 0, Format::BusyBox).reader_issues.is_empty());
        assert!(parse(FileId(0), "0 1 * * * run\n# end", 0).reader_issues.is_empty());
    }

    #[test]
    fn system_crontabs_name_a_user_before_the_command() {
        let c = parse_as(
            FileId(0),
            "0 1 * * * root /usr/local/bin/backup --all\n@daily www-data php cron.php\n",
            0,
            Format::System,
        );
        let commands: Vec<&str> = c.entries.iter().map(|e| e.command.value.as_str()).collect();
        assert_eq!(commands, ["/usr/local/bin/backup --all", "php cron.php"]);
        let c = parse_as(FileId(0), "0 1 * * * root\n", 0, Format::System);
        assert!(c.entries.first().is_some_and(|e| e.schedule_error.is_some()));
    }

    #[test]
    fn supercronic_takes_seconds_and_years_unchecked() {
        let c = parse_as(FileId(0), "*/10 * * * * * * /app/poll\n0 0 L * * /app/report\n", 0, Format::Supercronic);
        let commands: Vec<&str> = c.entries.iter().map(|e| e.command.value.as_str()).collect();
        assert_eq!(commands, ["/app/poll", "/app/report"]);
        assert!(c.entries.iter().all(|e| e.schedule_error.is_none()));
    }

    #[test]
    fn reads_lines() {
        let c = parse(FileId(0), "SHELL=/bin/sh\n# x\n0 2 * * * run a\nhello world\n", 0);
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.entries[0].command.value, "run a");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.env_values.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(), [(6, 13)]);
    }
}
