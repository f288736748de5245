//! Rules about compose invocations and the compose files the server runs: the flavor and
//! version the server has, the files they name, and restarts that keep old env.
pub mod feature_unsupported;
pub mod file_drift;
pub mod file_missing;
pub mod flavor_mismatch;
pub mod flavor_mixed;
pub mod restart_keeps_env;
