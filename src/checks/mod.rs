//! The rules. A rule is a doc in `rules/`, one file here with a `static RULE`, and one line in
//! [`RULES`]. Checks read only the model and report through a [`Reporter`] bound to their rule.

pub mod compose;
pub mod cron;
pub mod env;
pub mod image;
pub mod meta;
pub mod migration;
pub mod script;

use crate::diagnostic::{Diagnostic, Finding, Label, Severity};
use crate::model::Model;
use crate::source::escape_controls;

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub doc: &'static str,
    pub check: fn(&Model, &mut Reporter),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.code, self.name)
    }
}

/// Collects the findings of one rule.
pub struct Reporter<'a> {
    rule: &'static Rule,
    out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    /// Adds a finding. Its texts may quote what a file holds: control characters and line
    /// breaks are escaped here, once for every format, so a message stays one line and no escape
    /// sequence reaches a terminal.
    pub fn report(&mut self, f: Finding) {
        let text = |s: String| match escape_controls(&s) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(o) => o,
        };
        let label = |l: Label| Label { span: l.span, message: text(l.message) };
        self.out.push(Diagnostic {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.rule.severity,
            message: text(f.message),
            primary: label(f.primary),
            related: f.related.into_iter().map(label).collect(),
            help: f.help.map(text),
            fix: f.fix,
        });
    }
}

/// Every implemented rule, sorted by code.
pub static RULES: &[&Rule] = &[
    &meta::parse_error::RULE,
    &meta::suppression_unused::RULE,
    &meta::file_skipped::RULE,
    &image::binary_not_built::RULE,
    &image::binary_not_copied::RULE,
    &image::copy_source_missing::RULE,
    &image::exec_path_missing::RULE,
    &image::build_target_unknown::RULE,
    &compose::flavor_mismatch::RULE,
    &compose::flavor_mixed::RULE,
    &compose::feature_unsupported::RULE,
    &compose::restart_keeps_env::RULE,
    &compose::file_missing::RULE,
    &env::interpolation_unset::RULE,
    &env::interpolation_required::RULE,
    &compose::file_drift::RULE,
    &env::env_key_missing::RULE,
    &env::env_value_empty::RULE,
    &env::env_key_unused::RULE,
    &env::env_duplicate_key::RULE,
    &env::env_template_drift::RULE,
    &env::secret_file_exposed::RULE,
    &env::env_value_placeholder::RULE,
    &cron::task_missing::RULE,
    &cron::task_unknown::RULE,
    &cron::schedule_invalid::RULE,
    &cron::target_unknown::RULE,
    &cron::needs_no_tty::RULE,
    &cron::not_portable::RULE,
    &script::askpass_without_setsid::RULE,
    &migration::migration_sequence::RULE,
];

/// A rule by code or name (case-insensitive).
pub fn find_rule(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name))
}

/// Whether a selector (`ALL`, a code, a name, a code prefix such as `DPL1`) covers a rule.
pub fn selector_matches(selector: &str, rule: &Rule) -> bool {
    let s = selector.trim();
    s.eq_ignore_ascii_case("ALL")
        || rule.name.eq_ignore_ascii_case(s)
        || (s.len() >= 3 && rule.code.to_ascii_uppercase().starts_with(&s.to_ascii_uppercase()))
}

/// Whether a selector names at least one rule.
pub fn selector_is_known(selector: &str) -> bool {
    RULES.iter().any(|r| selector_matches(selector, r))
}

/// Runs the given rules on the model.
pub fn run(model: &Model, rules: &[&'static Rule]) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    // Checks only read the model: they run side by side, their findings kept in rule order.
    let per_rule: Vec<Vec<Diagnostic>> = rules
        .par_iter()
        .map(|rule| {
            let mut out = Vec::new();
            let mut reporter = Reporter { rule, out: &mut out };
            (rule.check)(model, &mut reporter);
            out
        })
        .collect();
    per_rule.concat()
}
