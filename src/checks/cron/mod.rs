//! Rules about schedules: every batch task scheduled, every crontab line valid and real, every
//! crontab read alike by every cron.
pub mod needs_no_tty;
pub mod not_portable;
pub mod schedule_invalid;
pub mod target_unknown;
pub mod task_missing;
pub mod task_unknown;

/// Lints a repository held in memory (root-relative paths and their text) with the default
/// configuration.
#[cfg(test)]
pub(crate) fn lint_in_memory(files: &[(&str, &str)]) -> Vec<crate::diagnostic::Diagnostic> {
    let bytes: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
    let Ok(found) = crate::discover::discover_in_memory(&bytes, &[]) else { return Vec::new() };
    crate::lint_discovered(found, crate::config::Config::default()).1
}
