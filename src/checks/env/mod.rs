//! Rules about env: what the code requires against what each service gets.
pub mod env_key_missing;
