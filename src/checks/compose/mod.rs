//! Rules about compose invocations: the flavor the server has, and restarts that keep old env.
pub mod flavor_mismatch;
pub mod flavor_mixed;
pub mod restart_keeps_env;
