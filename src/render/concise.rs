//! One line per finding: `path:line:col: severity[CODE] message` (the message scrubbed of
//! secret-shaped values).

use crate::diagnostic::Diagnostic;
use crate::source::Sources;

pub fn render(sources: &Sources, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let ((line, col), _) = super::position(sources, d.primary.span);
        out.push_str(&format!(
            "{}:{line}:{col}: {}[{}] {}\n",
            sources.path(d.primary.span.file),
            d.severity,
            d.code,
            super::mask::scrub(&d.message)
        ));
    }
    out
}
