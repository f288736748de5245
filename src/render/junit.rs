//! The `junit` format: JUnit XML, one failed test case per finding (CI systems that show test
//! reports show findings), or one passing case when there is none.

use super::ci;
use crate::diagnostic::Diagnostic;
use crate::source::Sources;

/// Text and attribute escaping; characters XML 1.0 cannot hold become U+FFFD.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", u32::from(c))),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(sources: &Sources, diags: &[Diagnostic]) -> String {
    let failures = diags.len();
    let tests = failures.max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<testsuites name=\"deploylint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"));
    out.push_str(&format!(
        "  <testsuite name=\"deploylint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    if diags.is_empty() {
        out.push_str("    <testcase name=\"deploylint\" classname=\"deploylint\"/>\n");
    }
    for d in diags {
        let p = ci::place(sources, &d.primary);
        let name = format!("{} {}:{}:{}", d.code, p.path, p.start.0, p.start.1);
        let body = format!(
            "{}:{}:{}: {}[{}] {}",
            p.path,
            p.start.0,
            p.start.1,
            d.severity,
            d.code,
            ci::long_message(sources, d)
        );
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            xml(&name),
            xml(p.path),
            xml(p.path),
            p.start.0,
            xml(&format!("{} {}", d.code, d.severity)),
            xml(&d.message),
            xml(&body),
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
