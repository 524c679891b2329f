//! Unified diffs for config and file edits, with the `similar` crate (the
//! same one `backup_diff` uses), so a preview's diff reads like `diff -u`.

use similar::TextDiff;

/// A unified diff of `old` → `new` labelled with `path`, three lines of
/// context; `None` when nothing differs.
pub fn unified_diff(path: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let diff = TextDiff::from_lines(old, new);
    let text = diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")).to_string();
    Some(text)
}
