//! CI workflow commands: GitHub Actions `run:` steps and GitLab `script:` lines, as the raw text
//! of their YAML scalars (so that spans point into the file).

use super::ParseError;
use super::yaml::{self, YNode, YValue};
use crate::source::FileId;

/// The byte ranges of the shell text of each step.
pub fn github_runs(file: FileId, text: &str) -> Result<Vec<(usize, usize)>, ParseError> {
    let Some(root) = yaml::parse(file, text)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (_, job) in root.get("jobs").map(YNode::as_map).unwrap_or(&[]) {
        for step in job.get("steps").map(YNode::as_seq).unwrap_or(&[]) {
            if let Some(run) = step.get("run").filter(|r| matches!(r.value, YValue::Scalar(_))) {
                out.push((run.span.start, run.span.end));
            }
        }
    }
    Ok(out)
}

/// The byte ranges of each `script:`, `before_script:` and `after_script:` line of every job.
pub fn gitlab_scripts(file: FileId, text: &str) -> Result<Vec<(usize, usize)>, ParseError> {
    let Some(root) = yaml::parse(file, text)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (_, job) in root.as_map() {
        for key in ["before_script", "script", "after_script"] {
            match job.get(key).map(|n| &n.value) {
                Some(YValue::Seq(items)) => {
                    out.extend(items.iter().filter(|i| i.as_str().is_some()).map(|i| (i.span.start, i.span.end)))
                }
                Some(YValue::Scalar(_)) => out.extend(job.get(key).map(|n| (n.span.start, n.span.end))),
                _ => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_run_steps_and_scripts() {
        let gh = "on: push\njobs:\n  b:\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          docker build --target app .\n";
        let runs = github_runs(FileId(0), gh).unwrap_or_default();
        assert_eq!(runs.len(), 1);
        assert!(gh[runs[0].0..runs[0].1].starts_with("docker build"));
        let gl =
            "stages: [build]\nimage:\n  stage: build\n  script:\n    - docker build --target app .\n    - echo done\n";
        assert_eq!(gitlab_scripts(FileId(0), gl).unwrap_or_default().len(), 2);
    }
}
