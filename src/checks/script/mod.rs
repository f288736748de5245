//! Rules about deploy scripts and runbooks.
pub mod askpass_without_setsid;
