//! ofelia's INI config (`daemon --config FILE`): `[job-exec "name"]`, `[job-run "name"]`,
//! `[job-local "name"]` and `[job-service-run "name"]` sections with `schedule =`,
//! `container =`, `image =`, `command =` and `tty =` keys. Only what a scheduled run needs is read; the
//! other sections (`[global]`, `[docker]`) and keys are skipped; keys are read in any case, as
//! ofelia reads them. A value keeps its place in
//! the file: a value wrapped in double quotes is read without them.

use crate::source::{FileId, Span, Spanned};

/// What an ofelia job runs, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// `job-exec`: a command in a running container.
    Exec,
    /// `job-run`: a new container of an image (its ENTRYPOINT, the command as its arguments).
    Run,
    /// `job-local`: a command where ofelia itself runs.
    Local,
    /// `job-service-run`: a swarm service of an image, as `job-run`.
    ServiceRun,
}

/// One job section.
#[derive(Clone, Debug)]
pub struct Job {
    pub kind: JobKind,
    /// The section's header (`[job-exec "name"]`).
    pub header: Span,
    pub schedule: Option<Spanned<String>>,
    pub container: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
    /// The command's text, at its place (quotes around the whole value left out).
    pub command: Option<Spanned<String>>,
    /// `tty =`: whether ofelia gives the job's process a terminal (`job-exec`, `job-run`,
    /// `job-service-run`; none by default).
    pub tty: Option<Spanned<String>>,
}

/// The job kind a section header names (`[job-exec "name"]`), if it names one.
fn section_kind(header: &str) -> Option<JobKind> {
    let inner = header.strip_prefix('[')?.strip_suffix(']')?.trim();
    let (kind, name) = inner.split_once(char::is_whitespace)?;
    let name = name.trim();
    if name.len() < 2 || !name.starts_with('"') || !name.ends_with('"') {
        return None;
    }
    match kind {
        "job-exec" => Some(JobKind::Exec),
        "job-run" => Some(JobKind::Run),
        "job-local" => Some(JobKind::Local),
        "job-service-run" => Some(JobKind::ServiceRun),
        _ => None,
    }
}

/// A value up to a comment: `;` or `#` outside double quotes ends it (`@every 1440h ;60 days`).
fn without_comment(value: &str) -> &str {
    let mut quoted = false;
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' | '#' if !quoted => return value.get(..i).unwrap_or(value),
            _ => {}
        }
    }
    value
}

/// Whether a text holds an ofelia job section: what makes an INI file an ofelia config.
pub fn has_jobs(text: &str) -> bool {
    text.lines().any(|l| section_kind(l.trim()).is_some())
}

/// The jobs of an ofelia config.
pub fn parse(file: FileId, text: &str) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut in_job = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if trimmed.starts_with('[') {
            let kind = section_kind(trimmed);
            in_job = kind.is_some();
            if let Some(kind) = kind {
                let lead = body.len() - body.trim_start().len();
                let header = Span::new(file, start + lead..start + lead + trimmed.len());
                jobs.push(Job { kind, header, schedule: None, container: None, image: None, command: None, tty: None });
            }
            continue;
        }
        let (Some(job), true) = (jobs.last_mut(), in_job) else { continue };
        let Some((key, value)) = body.split_once('=') else { continue };
        // ofelia reads keys in any case (`Command =`).
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "schedule" => &mut job.schedule,
            "container" => &mut job.container,
            "image" => &mut job.image,
            "command" => &mut job.command,
            "tty" => &mut job.tty,
            _ => continue,
        };
        let value_at = start + key.len() + 1 + (value.len() - value.trim_start().len());
        let v = without_comment(value).trim();
        let (v, value_at) = match v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Some(inner) if !inner.contains('"') => (inner, value_at + 1),
            _ => (v, value_at),
        };
        if !v.is_empty() {
            *slot = Some(Spanned::new(v.to_string(), Span::new(file, value_at..value_at + v.len())));
        }
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_sections_and_their_keys() {
        let text = "[global]\nsave-folder = /var/log\n\n[job-exec \"purge\"]\nschedule = 0 30 2 * * *\ncontainer = api\ncommand = /srv/batch -task=purge\n\n; a comment\n[job-run \"report\"]\nSchedule = @every 6h\nIMAGE = \"registry.example/ledger:2\"\ncommand = report --week # weekly\n[docker]\nfilters = label=x\n";
        let jobs = parse(FileId(0), text);
        assert_eq!(jobs.len(), 2);
        let exec = &jobs[0];
        assert_eq!(exec.kind, JobKind::Exec);
        let cmd = exec.command.as_ref().map(|c| (c.value.as_str(), &text[c.span.start..c.span.end]));
        assert_eq!(cmd, Some(("/srv/batch -task=purge", "/srv/batch -task=purge")));
        assert_eq!(exec.schedule.as_ref().map(|s| s.value.as_str()), Some("0 30 2 * * *"));
        assert_eq!(exec.container.as_ref().map(|s| s.value.as_str()), Some("api"));
        let run = &jobs[1];
        assert_eq!(run.kind, JobKind::Run);
        let image = run.image.as_ref().map(|c| (c.value.as_str(), &text[c.span.start..c.span.end]));
        assert_eq!(image, Some(("registry.example/ledger:2", "registry.example/ledger:2")));
        assert!(run.container.is_none());
        assert_eq!(run.command.as_ref().map(|c| c.value.as_str()), Some("report --week"));
    }

    #[test]
    fn only_job_sections_count() {
        assert!(has_jobs("[job-local \"x\"]\ncommand = true\n"));
        assert!(has_jobs("  [job-service-run \"y\"]\n"));
        assert!(!has_jobs("[uwsgi]\nmodule = app\n"));
        assert!(!has_jobs("[job-exec]\ncommand = true\n"));
        assert!(!has_jobs("[jobs \"x\"]\n"));
        // Keys outside a job section are not a job's.
        assert!(parse(FileId(0), "[global]\ncommand = /srv/batch\n").is_empty());
    }

    #[test]
    fn truncated_and_odd_input() {
        // A header cut before its closing bracket or quote is no job section.
        assert!(parse(FileId(0), "[job-exec \"purge").is_empty());
        assert!(parse(FileId(0), "[job-exec \"purge]\ncommand = x\n").is_empty());
        // A file cut after `=`, a value with an unbalanced quote, CRLF lines, a key in another
        // script and a comment sign inside quotes.
        let text = "[job-local \"é\"]\r\ncommand = \"/srv/run ;x\"\r\nschedule =\r\ntty = \"yes\r\ncontainer";
        let jobs = parse(FileId(0), text);
        assert_eq!(jobs.len(), 1);
        let job = &jobs[0];
        let cmd = job.command.as_ref().map(|c| (c.value.as_str(), text.get(c.span.start..c.span.end)));
        assert_eq!(cmd, Some(("/srv/run ;x", Some("/srv/run ;x"))));
        assert!(job.schedule.is_none() && job.container.is_none());
        assert_eq!(job.tty.as_ref().map(|t| t.value.as_str()), Some("\"yes"));
    }
}
