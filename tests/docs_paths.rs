//! docs/architecture.md is the newcomer's map: every `src/...` path it
//! names must exist, and no table may list the same path row twice (both
//! happened when parallel branches each appended their own rows).

use std::collections::HashSet;
use std::path::Path;

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every `src/…` span in backticks (a `*` matches by prefix and suffix,
/// e.g. `src/tui/panes/deployments*.rs`). Templates (`src/engine/<domain>/`)
/// and the "Adding a domain" walk-through, whose files are the ones a new
/// domain would write, are not claims about today's tree.
fn src_paths(text: &str) -> Vec<String> {
    let mut real = String::new();
    let mut example = false;
    for line in text.lines() {
        if line.starts_with("## ") {
            example = line.starts_with("## Adding a");
        }
        if !example {
            real.push_str(line);
            real.push('\n');
        }
    }
    real.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("src/") && !s.contains(' ') && !s.contains('<'))
        .map(str::to_string)
        .collect()
}

fn exists(root: &Path, path: &str) -> bool {
    let Some((dir_and_head, tail)) = path.split_once('*') else {
        return root.join(path.trim_end_matches('/')).exists();
    };
    let (dir, head) = dir_and_head.rsplit_once('/').unwrap_or(("", dir_and_head));
    std::fs::read_dir(root.join(dir)).into_iter().flatten().flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with(head) && name.ends_with(tail)
    })
}

#[test]
fn every_src_path_named_in_architecture_md_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = doc();
    let named = src_paths(&text);
    assert!(named.len() > 20, "found only {} src/ paths: the extraction is broken", named.len());
    let missing: Vec<_> = named.iter().filter(|p| !exists(root, p)).collect();
    assert!(missing.is_empty(), "docs/architecture.md names paths that do not exist: {missing:?}");
}

#[test]
fn no_table_in_architecture_md_lists_a_row_twice() {
    let text = doc();
    let mut seen = HashSet::new();
    let mut twice = Vec::new();
    for line in text.lines() {
        if !line.starts_with('|') {
            seen.clear(); // a new table starts after any other line
            continue;
        }
        let first = line.split('|').nth(1).unwrap_or("").trim().to_string();
        if first.starts_with('`') && !seen.insert(first.clone()) {
            twice.push(first);
        }
    }
    assert!(twice.is_empty(), "rows listed twice in one table: {twice:?}");
}

#[test]
fn the_checks_catch_what_they_are_for() {
    assert_eq!(src_paths("a `src/x.rs` b `tui/y.rs` `src/a b` `src/z/` `src/<d>/m.rs`"), ["src/x.rs", "src/z/"]);
    let walk = "## Map\n`src/a.rs`\n## Adding a domain\n`src/new/`\n## Store\n`src/b.rs`\n";
    assert_eq!(src_paths(walk), ["src/a.rs", "src/b.rs"]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(exists(root, "src/tui/panes/deployments*.rs"));
    assert!(exists(root, "src/cli/"));
    assert!(!exists(root, "src/engine/vault/use_secret.rs"));
    assert!(!exists(root, "src/nothing*.rs"));
}
