//! Python code: the modules of the repository, what they import and the env keys they read.

use super::RequiredEnv;

#[derive(Debug, Default)]
pub struct PythonModel {}

impl PythonModel {
    /// The keys the entry `path` and the modules it imports require on every run.
    pub fn required_env(&self, _path: &str) -> RequiredEnv {
        RequiredEnv::default()
    }
}
