//! Rules about schedules: every batch task scheduled, every crontab line valid and real.
pub mod schedule_invalid;
pub mod task_missing;
pub mod task_unknown;
