#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! The real binary's `--help`, walked through every subcommand: each
//! argument, option and subcommand has a description, help speaks in flags
//! (`--yes`, `--dry-run`), never the palette's `confirmed=true`, and the
//! global options are listed apart from a subcommand's own.

use std::process::Command;

fn help(path: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_homedeck")).args(path).arg("--help").output().unwrap();
    assert!(out.status.success(), "homedeck {} --help failed: {}", path.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The entries of one help section (`Options:`), each with the lines that
/// describe it (on its own line, or below it in clap's next-line layout).
fn section<'a>(text: &'a str, heading: &str) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == heading;
            continue;
        }
        if !inside || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 2 {
            // "  -y, --yes  Do not ask" or "  <NAME>  The name": the spec ends
            // at the first run of two spaces.
            let body = line.trim_start();
            let (spec, desc) = match body.find("  ") {
                Some(i) => (&body[..i], body[i..].trim().to_string()),
                None => (body, String::new()),
            };
            out.push((spec, desc));
        } else if let Some(last) = out.last_mut() {
            last.1.push(' ');
            last.1.push_str(line.trim());
        }
    }
    out
}

/// Every subcommand path, depth first, from `homedeck --help`.
fn walk(path: Vec<String>, seen: &mut Vec<(Vec<String>, String)>) {
    let text = help(&path);
    let subs: Vec<String> = section(&text, "Commands:").into_iter().map(|(s, _)| s.to_string()).filter(|s| s != "help").collect();
    seen.push((path.clone(), text));
    for s in subs {
        let mut p = path.clone();
        p.push(s);
        walk(p, seen);
    }
}

#[test]
fn every_argument_and_subcommand_is_described_in_flags() {
    let mut all = Vec::new();
    walk(Vec::new(), &mut all);
    assert!(all.len() > 100, "only {} help pages found", all.len());
    let palette = regex_lite(&["=true", "=false"]);
    let mut bad = Vec::new();
    for (path, text) in &all {
        let at = format!("homedeck {}", path.join(" "));
        for heading in ["Commands:", "Arguments:", "Options:", "Global options:"] {
            for (spec, desc) in section(text, heading) {
                if desc.is_empty() {
                    bad.push(format!("{at}: {spec} has no description"));
                }
            }
        }
        for word in &palette {
            if text.contains(word.as_str()) {
                bad.push(format!("{at}: palette syntax {word:?} in help (use the flag)"));
            }
        }
        if !path.is_empty() && text.contains("--data-dir") {
            let own = text.split("Global options:").next().unwrap_or("");
            if own.contains("--data-dir") || !text.contains("Global options:") {
                bad.push(format!("{at}: global options are not listed apart"));
            }
        }
    }
    assert!(bad.is_empty(), "{} problems:\n{}", bad.len(), bad.join("\n"));
    // Describing arguments must not reorder positionals.
    let rotation = help(&["secret".into(), "rotation".into()]);
    assert!(rotation.contains("Usage: homedeck secret rotation [OPTIONS] <NAME> <DAYS>"), "{rotation}");
}

/// The palette's boolean syntax, as the words to look for.
fn regex_lite(suffixes: &[&str]) -> Vec<String> {
    let names = ["confirmed", "dry_run", "wait", "follow", "health", "repeat", "keep_backup", "yes", "shell"];
    names.iter().flat_map(|n| suffixes.iter().map(move |s| format!("{n}{s}"))).collect()
}
