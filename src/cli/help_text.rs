//! Help that a newcomer can act on, for every subcommand and argument.
//!
//! The engine's table documents each verb once, in the palette's words
//! (`confirmed=true`, `dry_run=true`); on the command line the same switch
//! is a flag, so `for_cli` rewrites those words. Arguments that recur in
//! every domain (`NAME`, `HOST`, `--yes` …) get their description here, from
//! the subcommand they belong to, instead of the same line in fifty places;
//! an argument documented where it is declared keeps its own words.
//! `tests/cli_help.rs` walks the real binary's help and fails on any
//! argument left without a description.

use clap::Command;

/// The palette's `key=value` switches, said as the CLI's flags.
const FLAGS: &[(&str, &str)] = &[
    ("preview first; confirmed=true takes", "preview first; once you confirm (or with --yes) it takes"),
    ("(confirmed=true to apply)", "(asks first; --yes skips the question)"),
    ("(needs confirmed=true)", "(asks first; --yes skips the question)"),
    ("e.g. service=light.turn_off entity=light.porch", "e.g. light.turn_off --entity light.porch"),
    ("dry_run=true", "--dry-run"),
    ("repeat=true", "--repeat"),
    ("health=true", "--health"),
    ("follow=true", "--follow"),
    ("unless wait=false", "unless --no-wait"),
    ("unless keep_backup=false", "unless --no-backup"),
    ("(keep_last/hourly/daily/weekly/monthly)", "(--keep-last/--keep-hourly/--keep-daily/--keep-weekly/--keep-monthly)"),
];

/// A table doc in the command line's words.
pub fn for_cli(doc: &str) -> String {
    FLAGS.iter().fold(doc.to_string(), |text, (palette, flag)| text.replace(palette, flag))
}

/// What the thing a subcommand path works on is called, and where to list them.
fn noun(path: &[&str]) -> (&'static str, &'static str) {
    match path {
        ["server", ..] => ("Server name", " (see `homedeck server list`)"),
        ["deploy", ..] => ("Deployment name", " (see `homedeck deploy list`)"),
        ["ha", ..] => ("Home Assistant connection profile", " (see `homedeck ha list`)"),
        ["secret", ..] => ("Secret name", " (see `homedeck secret list`)"),
        ["esphome", ..] => ("ESPHome device name", " (see `homedeck esphome list`)"),
        ["wled", "group", ..] => ("Group name", " (see `homedeck wled group list`)"),
        ["wled", "schedule", ..] => ("Schedule name", " (see `homedeck wled schedule list`)"),
        ["wled", ..] => ("WLED device name", " (see `homedeck wled list`)"),
        ["fpp", ..] => ("FPP host name", " (see `homedeck fpp list`)"),
        ["backup", "schedule", ..] => ("Backup schedule name", " (see `homedeck backup schedule list`)"),
        ["backup", "repo", ..] => ("Repository name", " (see `homedeck backup repo list`)"),
        ["backup", ..] => ("Backup source name", " (see `homedeck backup source list`)"),
        _ => ("Name", ""),
    }
}

/// The description of a recurring argument `id` of the subcommand at `path`.
fn describe(path: &[&str], id: &str) -> Option<String> {
    let (what, list) = noun(path);
    let text = match (path, id) {
        (_, "yes") => "Do not ask for confirmation".to_string(),
        (["events", ..], "id") => "Security event id (see `homedeck events`)".into(),
        (["events", "respond"], "status") => "investigating, resolved or false_positive".into(),
        (["backup", "snapshot", "restore"], "id") => "Snapshot id (see `homedeck backup snapshots`)".into(),
        (["backup", "diff"], "a") => "Snapshot id (see `homedeck backup snapshots`)".into(),
        (["backup", "diff"], "b") => "A later snapshot id [default: the file as it is now]".into(),
        (["backup", ..], "id") => "Backup id (see `homedeck backup list`)".into(),
        (["backup", "snapshots"], "file") => "Only the snapshots of this watched file".into(),
        (["backup", "snapshot", ..], "file") => "The file (a path on this machine)".into(),
        (["backup", "export"], "path") => "The export file to write".into(),
        (["backup", "import"], "path") => "The export file to read (from `homedeck backup export`)".into(),
        (["backup", "repo", "add"], "server") => "The server holding the repository (see `homedeck server list`)".into(),
        (["backup", "repo", "add"], "path") => "Directory on that server the archives go in".into(),
        (["backup", "cancel"], "job") => "Job id (see `homedeck backup jobs`)".into(),
        (["backup", ..], "source") => format!("Backup source name{}", noun(&["backup"]).1),
        (["server", "exec"], "command") => "The command to run, after `--`".into(),
        (["server", "get" | "put"], "remote") => "Path on the server".into(),
        (["server", "get" | "put"], "local") => "Path on this machine".into(),
        (["server", "health"], "name") => format!("Server name [default: every server]{list}"),
        (["esphome", "firmware", "import"], "path") => "The firmware .bin file (ESPHome's build output)".into(),
        (["esphome", ..], "device" | "devices") => format!("{what}{list}"),
        (["deploy", "upgrade"], "version") => "Home Assistant version to upgrade to, e.g. 2024.3.3".into(),
        (["deploy", ..], "names") => format!("Deployment names{list}"),
        (["ha", "call"], "service") => "The service, domain.service, e.g. light.turn_off".into(),
        (["wled" | "fpp", "add"], "address") => "IP address or hostname, optionally with :PORT".into(),
        (["wled", ..], "target") => "Device or group name, or all".into(),
        (["wled", "preset", "apply"], "preset") => "Preset id or name (see `homedeck wled preset list`)".into(),
        (["wled", "preset", ..], "id") => "Preset id, 1–250".into(),
        (["wled", "playlist", "start"], "playlist") => "Playlist id or name (see `homedeck wled preset list`)".into(),
        (["wled", "group", "set"], "members") => "Device names, comma-separated".into(),
        (["wled", ..], "device") => format!("WLED device name{}", noun(&["wled"]).1),
        (["fpp", ..], "host") => format!("{what}{list}"),
        (["fpp", "start"], "playlist") => "Playlist name (see `homedeck fpp playlists HOST`)".into(),
        (["fpp", "schedule", ..], "index") => "Entry number, as `homedeck fpp schedule show HOST` lists it".into(),
        (["ha", ..], "name") => format!("{what} name{list}"),
        (_, "name") => format!("{what}{list}"),
        _ => return None,
    };
    Some(text)
}

/// Fill what the declarations leave out, through the whole tree: a
/// subcommand's about from the engine verb of the same path
/// (`wled group list` → `wled_group_list`), an argument's help from
/// `describe`.
pub fn fill(cmd: Command) -> Command {
    fill_at(cmd, &[])
}

fn fill_at(mut cmd: Command, path: &[&str]) -> Command {
    // `mut_arg` moves an argument to the end of the list, and clap numbers
    // positionals by that order: pin each one's place first, or describing
    // `NAME` would make `secret rotation NAME DAYS` read `DAYS NAME`.
    let positionals: Vec<String> = cmd.get_positionals().map(|a| a.get_id().to_string()).collect();
    for (i, id) in positionals.iter().enumerate() {
        cmd = cmd.mut_arg(id, |a| if a.get_index().is_none() { a.index(i + 1) } else { a });
    }
    let ids: Vec<String> = cmd.get_arguments().filter(|a| a.get_help().is_none() && !a.is_hide_set()).map(|a| a.get_id().to_string()).collect();
    for id in ids {
        if let Some(text) = describe(path, &id) {
            cmd = cmd.mut_arg(id, |a| a.help(text));
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        let mut sub_path: Vec<&str> = path.to_vec();
        sub_path.push(&name);
        let about = cmd.find_subcommand(&name).and_then(|s| s.get_about()).map(|a| for_cli(&a.to_string()));
        let verb = about.is_none().then(|| verb_doc(&sub_path)).flatten();
        let owned: Vec<&str> = sub_path.clone();
        cmd = cmd.mut_subcommand(&name, |s| {
            let s = match (&about, verb) {
                (Some(a), _) => s.about(a.clone()),
                (None, Some(v)) => s.about(v),
                (None, None) => s,
            };
            fill_at(s, &owned)
        });
    }
    cmd
}

/// The table's doc for the verb a subcommand path names, if there is one.
fn verb_doc(path: &[&str]) -> Option<String> {
    // Several subcommands share a verb: `rm` is `remove`, `disable` is
    // `enable` turned off, `show` the group's own verb, `playlist list` the
    // preset list (it lists both).
    let words: Vec<&str> = path
        .iter()
        .map(|w| match *w {
            "rm" => "remove",
            "disable" => "enable",
            "playlist" if path.last() == Some(&"list") => "preset",
            w => w,
        })
        .collect();
    let mut names = vec![words.join("_")];
    if let [group @ .., "show"] = words.as_slice() {
        names.push(group.join("_"));
    }
    if words.first() == Some(&"events") {
        names.push(format!("security_event_{}", words[1..].join("_")));
    }
    names.iter().find_map(|n| crate::engine::command::spec(n)).map(|s| for_cli(s.summary()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_switches_become_flags() {
        let restore = "Restore a backup (or an archive file): preview first; confirmed=true takes a pre-restore backup, swaps, checks health, rolls back on failure.";
        assert!(for_cli(restore).contains("once you confirm (or with --yes) it takes"));
        assert_eq!(for_cli("Start a deployment (waits until healthy unless wait=false)."), "Start a deployment (waits until healthy unless --no-wait).");
    }
}
