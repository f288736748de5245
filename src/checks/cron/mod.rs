//! Rules about schedules: every batch task scheduled, every crontab line valid and real, every
//! crontab read alike by every cron.
pub mod not_portable;
pub mod schedule_invalid;
pub mod task_missing;
pub mod task_unknown;
