//! User crontabs (`crontab -e` format): environment lines, `@macro` entries and five-field
//! entries, validated the way cronie's `entry.c` reads them (numbers, 3-letter names for months
//! and weekdays, `a-b` ranges, `/step` only after `*` or a range, lists, weekday 0-7).

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

/// Checks one field; the error names the field like cron does (`bad minute`).
pub fn check_field(index: usize, field: &str) -> Result<(), String> {
    let Some(spec) = FIELDS.get(index) else {
        return Err("too many fields".to_string());
    };
    let bad = || Err(format!("bad {} `{field}`", spec.what));
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let is_range = if range == "*" {
            true
        } else if let Some((a, b)) = range.split_once('-') {
            if number(spec, a).is_none() || number(spec, b).is_none() {
                return bad();
            }
            true
        } else {
            if number(spec, range).is_none() {
                return bad();
            }
            false
        };
        if let Some(step) = step {
            let ok = is_range
                && !step.is_empty()
                && step.bytes().all(|b| b.is_ascii_digit())
                && step.parse::<u32>().is_ok_and(|n| n > 0);
            if !ok {
                return bad();
            }
        }
    }
    Ok(())
}

fn is_env_line(line: &str) -> bool {
    let name_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(line.len());
    name_end > 0 && line[name_end..].trim_start().starts_with('=')
}

/// Parses a whole crontab; `base` is added to every span (for crontab lines inside a runbook).
pub fn parse(file: FileId, text: &str, base: usize) -> Crontab {
    let mut out = Crontab::default();
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let start = base + line_start + indent;
        if is_env_line(trimmed) {
            let eq = trimmed.find('=').map_or(trimmed.len(), |p| p + 1);
            out.env_values.push(Span::new(file, start + eq..start + trimmed.len()));
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(entry) = parse_entry(file, trimmed, start) {
            out.entries.push(entry);
        } else {
            out.errors.push(ParseError {
                span: Span::new(file, start..start + trimmed.len()),
                message: "not a crontab entry or an environment setting".to_string(),
            });
        }
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

/// Parses one entry line (already trimmed on the left, starting at byte `start` of the file).
/// `None` when the line does not look like an entry at all.
pub fn parse_entry(file: FileId, line: &str, start: usize) -> Option<CronEntry> {
    let first = line.chars().next()?;
    if !(first.is_ascii_digit() || first == '*' || first == '@') {
        return None;
    }
    let ws = words(line);
    let span_of = |(o, w): (usize, &str)| Span::new(file, start + o..start + o + w.len());
    if first == '@' {
        let (o, m) = *ws.first()?;
        let command_at = ws.get(1).map_or(line.len(), |(o, _)| *o);
        let command = line[command_at..].to_string();
        let mut error = None;
        if !MACROS.contains(&m) {
            error = Some((span_of((o, m)), format!("bad time specifier `{m}`")));
        } else if command.trim().is_empty() {
            error = Some((span_of((o, m)), "no command after the schedule".to_string()));
        }
        return Some(CronEntry {
            schedule: Spanned::new(m.to_string(), span_of((o, m))),
            command: Spanned::new(command, Span::new(file, start + command_at..start + line.len())),
            schedule_error: error,
        });
    }
    let fields: Vec<(usize, &str)> = ws.iter().take(5).copied().collect();
    let last = fields.last().copied().unwrap_or((0, ""));
    let schedule_end = last.0 + last.1.len();
    let schedule = Spanned::new(line[..schedule_end].to_string(), Span::new(file, start..start + schedule_end));
    let command_at = ws.get(5).map_or(line.len(), |(o, _)| *o);
    let command = Spanned::new(line[command_at..].to_string(), Span::new(file, start + command_at..start + line.len()));
    let mut error = None;
    for (i, &(o, w)) in fields.iter().enumerate() {
        if let Err(e) = check_field(i, w) {
            error = Some((span_of((o, w)), e));
            break;
        }
    }
    if error.is_none() && fields.len() < 5 {
        error = Some((schedule.span, format!("only {} of the 5 schedule fields", fields.len())));
    }
    if error.is_none() {
        match ws.get(5) {
            None => error = Some((schedule.span, "no command after the schedule".to_string())),
            Some(&(o, w)) if w.starts_with('*') => {
                error = Some((span_of((o, w)), "a sixth schedule field: cron takes 5 (no seconds)".to_string()));
            }
            _ => {}
        }
    }
    Some(CronEntry { schedule, command, schedule_error: error })
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

    #[test]
    fn reads_lines() {
        let c = parse(FileId(0), "SHELL=/bin/sh\n# x\n0 2 * * * run a\nhello world\n", 0);
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.entries[0].command.value, "run a");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.env_values.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(), [(6, 13)]);
    }
}
