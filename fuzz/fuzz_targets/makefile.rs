//! Makefile parser: no panic, every recipe offset on a character boundary with the recipe's
//! first line written there, and rule lookup and variable expansion finish (the per-input time
//! bound of run.sh catches an expansion that blows up).
#![no_main]

use deploylint::parse::makefile;
use deploylint_fuzz::{as_text, assert_span};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let mk = makefile::parse(text);
    for r in &mk.rules {
        for (line, at) in &r.recipe {
            assert_span(text, *at, *at, "recipe offset");
            let first = line.split('\n').next().unwrap_or_default();
            assert!(text[*at..].starts_with(first), "recipe line {first:?} is not at its offset {at}");
        }
    }
    let mut extra = BTreeMap::new();
    extra.insert("@".to_string(), "app".to_string());
    extra.insert("*".to_string(), "app".to_string());
    for value in mk.vars.values() {
        let _ = mk.expand(value, &extra, 0);
    }
    let goal = mk.default_goal().map(str::to_string);
    for target in goal.iter().map(String::as_str).chain(["build", "app", "image"]) {
        if let Some((rule, _)) = mk.rule_for(target) {
            for (line, _) in &rule.recipe {
                let _ = mk.expand(line, &extra, 0);
            }
        }
    }
});
