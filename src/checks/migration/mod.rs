//! Rules about database migrations.
pub mod migration_sequence;
