//! CI workflow commands: GitHub Actions `run:` steps and GitLab `script:` lines, as the raw text
//! of their YAML scalars (so that spans point into the file).

use super::ParseError;
use super::yaml::{self, YNode, YValue};
use crate::source::{FileId, Span, Spanned};
use std::collections::{BTreeMap, BTreeSet};

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

/// The names a CI file sets for its commands: the keys of every `env:` map (GitHub Actions:
/// the workflow's, a job's, a step's, a container's) and `variables:` map (GitLab CI: the
/// file's and a job's). Names only, never values.
pub fn env_names(file: FileId, text: &str) -> BTreeSet<String> {
    fn walk(n: &YNode, depth: usize, out: &mut BTreeSet<String>) {
        if depth > 8 {
            return;
        }
        match &n.value {
            YValue::Map(m) => {
                for (k, v) in m {
                    if matches!(k.as_str(), Some("env" | "variables")) {
                        out.extend(v.as_map().iter().filter_map(|(k, _)| k.as_str().map(str::to_string)));
                    }
                    walk(v, depth + 1, out);
                }
            }
            YValue::Seq(items) => items.iter().for_each(|i| walk(i, depth + 1, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    if let Ok(Some(root)) = yaml::parse(file, text) {
        walk(&root, 0, &mut out);
    }
    out
}

/// Whether a GitHub workflow runs on a schedule (`on: schedule: - cron: …`).
pub fn github_scheduled(file: FileId, text: &str) -> bool {
    let Ok(Some(root)) = yaml::parse(file, text) else { return false };
    let on = root.get("on").or_else(|| root.get("true"));
    on.and_then(|o| o.get("schedule")).is_some_and(|s| !s.as_seq().is_empty())
}

/// An image build by the `docker/build-push-action` step of a GitHub workflow, with the
/// workflow's `env:` and the job's matrix substituted; paths relative to the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionBuild {
    /// The build context (`None`: the action's default, the repository).
    pub context: Option<String>,
    /// The Dockerfile (`None`: `Dockerfile` in the context).
    pub file: Option<String>,
    pub target: Option<Spanned<String>>,
    /// The step's `uses:` value.
    pub span: Span,
}

/// Most matrix combinations expanded for one step.
const MAX_COMBINATIONS: usize = 64;

/// Substitutes `${{ env.X }}`, `${{ matrix.X }}` and `${{ github.workspace }}`; `None` when
/// another expression is involved.
fn substitute(s: &str, env: &BTreeMap<String, String>, matrix: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${{") {
        out.push_str(rest.get(..i)?);
        let after = rest.get(i + 3..)?;
        let end = after.find("}}")?;
        let expr = after.get(..end)?.trim();
        let value = if expr == "github.workspace" {
            Some(".".to_string())
        } else if let Some(k) = expr.strip_prefix("env.") {
            env.get(k).cloned()
        } else if let Some(k) = expr.strip_prefix("matrix.") {
            matrix.get(k).cloned()
        } else {
            None
        };
        out.push_str(&value?);
        rest = after.get(end + 2..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// The `env:` of a workflow, job or step, as strings.
fn env_of(node: Option<&YNode>) -> BTreeMap<String, String> {
    node.map(YNode::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// The combinations of a job's `strategy.matrix` lists of scalars (`include`/`exclude` left out).
fn matrix_of(job: &YNode) -> Vec<BTreeMap<String, String>> {
    let mut combos = vec![BTreeMap::new()];
    let matrix = job.get("strategy").and_then(|s| s.get("matrix"));
    for (k, v) in matrix.map(YNode::as_map).unwrap_or(&[]) {
        let Some(k) = k.as_str().filter(|k| *k != "include" && *k != "exclude") else { continue };
        let values: Vec<&str> = v.as_seq().iter().filter_map(YNode::as_str).collect();
        if values.is_empty() {
            continue;
        }
        let mut next = Vec::new();
        for c in &combos {
            for v in &values {
                let mut c = c.clone();
                c.insert(k.to_string(), (*v).to_string());
                next.push(c);
            }
        }
        if next.len() > MAX_COMBINATIONS {
            return vec![BTreeMap::new()];
        }
        combos = next;
    }
    combos
}

/// Every `docker/build-push-action` step, once per matrix combination its paths resolve with.
/// A step checked out elsewhere (`actions/checkout` with `path: P`) has `P/` stripped.
pub fn github_image_builds(file: FileId, text: &str) -> Result<Vec<ActionBuild>, ParseError> {
    let Some(root) = yaml::parse(file, text)? else { return Ok(Vec::new()) };
    let workflow_env = env_of(root.get("env"));
    let mut out = Vec::new();
    for (_, job) in root.get("jobs").map(YNode::as_map).unwrap_or(&[]) {
        let mut env = workflow_env.clone();
        env.extend(env_of(job.get("env")));
        let mut checkout: Option<String> = None;
        for step in job.get("steps").map(YNode::as_seq).unwrap_or(&[]) {
            let Some(uses) = step.get("uses") else { continue };
            let with = step.get("with");
            let arg = |k: &str| with.and_then(|w| w.get(k)).and_then(YNode::as_str);
            let action = uses.as_str().unwrap_or("");
            if action.starts_with("actions/checkout") {
                checkout = arg("path").map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string());
                continue;
            }
            if !action.starts_with("docker/build-push-action") {
                continue;
            }
            let mut step_env = env.clone();
            step_env.extend(env_of(step.get("env")));
            let strip = |p: String| -> String {
                let p = p.trim_start_matches("./").to_string();
                match checkout.as_deref().filter(|c| !c.is_empty()) {
                    Some(c) if p == c => ".".to_string(),
                    Some(c) => p.strip_prefix(&format!("{c}/")).map_or(p.clone(), str::to_string),
                    None => p,
                }
            };
            for m in matrix_of(job) {
                let context = match arg("context") {
                    Some(c) => match substitute(c, &step_env, &m) {
                        Some(c) => Some(strip(c)),
                        None => continue,
                    },
                    None => None,
                };
                let file_path = match arg("file") {
                    Some(f) => match substitute(f, &step_env, &m) {
                        Some(f) => Some(strip(f)),
                        None => continue,
                    },
                    None => None,
                };
                let target = with
                    .and_then(|w| w.get("target"))
                    .and_then(|t| Some(Spanned::new(substitute(t.as_str()?, &step_env, &m)?, t.span)));
                let build = ActionBuild { context, file: file_path, target, span: uses.span };
                if !out.contains(&build) {
                    out.push(build);
                }
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

    #[test]
    fn finds_build_push_action_steps() {
        let gh = "env:\n  DOCKERFILE: cmd/api/Dockerfile\njobs:\n  img:\n    strategy:\n      matrix:\n        svc: [api, worker]\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          path: src\n      - uses: docker/build-push-action@v6\n        with:\n          context: src\n          file: src/cmd/${{ matrix.svc }}/Dockerfile\n          target: runtime\n      - uses: docker/build-push-action@v6\n        with:\n          file: ${{ env.DOCKERFILE }}\n          tags: ${{ steps.meta.outputs.tags }}\n      - uses: docker/build-push-action@v6\n        with:\n          context: ${{ steps.x.outputs.dir }}\n";
        let b = github_image_builds(FileId(0), gh).unwrap_or_default();
        let got: Vec<(Option<&str>, Option<&str>)> =
            b.iter().map(|b| (b.context.as_deref(), b.file.as_deref())).collect();
        assert_eq!(
            got,
            [
                (Some("."), Some("cmd/api/Dockerfile")),
                (Some("."), Some("cmd/worker/Dockerfile")),
                (None, Some("cmd/api/Dockerfile")),
            ]
        );
        assert_eq!(b[0].target.as_ref().map(|t| t.value.as_str()), Some("runtime"));
    }
}
