//! The seams of the house, checked on the source: the engine has no UI
//! code, the console has no IO crates, and front ends name the engine only
//! through its façade (`engine::{Command, Outcome, Event, …}` and
//! `engine::views`), never its domain modules or `engine::internals`.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn files(dirs: &[&str]) -> std::io::Result<Vec<(PathBuf, String)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for d in dirs {
        let p = root.join(d);
        if p.is_dir() {
            rust_files(&p, &mut paths)?;
        } else if p.exists() {
            paths.push(p);
        }
    }
    paths.into_iter().map(|p| fs::read_to_string(&p).map(|s| (p, s))).collect()
}

/// What follows `engine::` in every path a file names, including each name
/// inside `engine::{…}` groups.
fn engine_names(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("engine::") {
        rest = &rest[i + "engine::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            out.push(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        }
    }
    out
}

#[test]
fn front_ends_use_only_the_engine_facade() {
    // Modules of the seam itself; everything else public is a re-export at the root.
    let allowed_modules = ["views", "command", "command_parse", "command_table", "actor", "error", "event", "outcome", "options", "secret_value"];
    let mut bad = Vec::new();
    for (path, src) in files(&["src/tui", "src/cli", "src/daemon", "src/main.rs", "src/config.rs", "src/handle.rs"]).unwrap() {
        for name in engine_names(&src) {
            let is_item = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            if !is_item && !allowed_modules.contains(&name.as_str()) && name != "self" {
                bad.push(format!("{}: engine::{name}", path.display()));
            }
        }
    }
    assert!(bad.is_empty(), "front ends reach past the engine façade (use engine::views):\n{}", bad.join("\n"));
}

#[test]
fn the_engine_has_no_ui_and_the_console_no_io_crates() {
    let mut bad = Vec::new();
    for (path, src) in files(&["src/engine"]).unwrap() {
        for krate in ["ratatui::", "crossterm::"] {
            if src.contains(krate) {
                bad.push(format!("{} uses {krate}", path.display()));
            }
        }
    }
    for (path, src) in files(&["src/tui"]).unwrap() {
        for krate in ["sled::", "russh::", "reqwest::", "russh_sftp::", "tokio_tungstenite::"] {
            if src.contains(krate) {
                bad.push(format!("{} uses {krate}", path.display()));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_checker_sees_groups_and_paths() {
    let names = engine_names("use crate::engine::{Command, views::lights, backup};\nlet x = crate::engine::internals::store::Store;");
    assert_eq!(names, ["Command", "views", "backup", "internals"]);
}
