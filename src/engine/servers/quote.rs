//! Turning what a person typed into the exact string a remote shell runs.
//!
//! sshd hands an exec request to the login shell as `$SHELL -c STRING`, so
//! anything spliced into STRING is code. homedeck therefore never splices:
//! a command line is split into words the POSIX way (`shell-words`), and
//! each word is single-quoted before joining, so `;`, `$(…)`, backticks,
//! quotes and newlines arrive as literal argument bytes. Only an explicit
//! `shell` run hands a line to `sh -c` — and then as one quoted argument.

use crate::engine::error::{EngineError, EngineResult};

/// Single-quote one word for a POSIX shell. Safe for every byte string:
/// inside single quotes nothing is special except `'` itself, which is
/// closed, escaped and reopened.
pub fn quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('\'');
    for c in word.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Quote every word and join with spaces.
pub fn join(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// Split a typed command line into words (quotes and backslashes as a POSIX
/// shell reads them; no expansion of any kind).
pub fn split(line: &str) -> EngineResult<Vec<String>> {
    let words = shell_words::split(line).map_err(|e| {
        EngineError::invalid("command", line, &format!("a command line with balanced quotes ({e})"))
    })?;
    if words.is_empty() {
        return Err(EngineError::invalid("command", line, "a command to run"));
    }
    Ok(words)
}

/// What runs remotely: the quoted argv, or for a shell run
/// `sh -c '<line>'` (the line is the user's own shell code, on purpose).
pub fn remote_command(line: &str, shell: bool) -> EngineResult<String> {
    if shell {
        if line.trim().is_empty() {
            return Err(EngineError::invalid("command", line, "a command to run"));
        }
        return Ok(format!("sh -c {}", quote(line)));
    }
    Ok(join(&split(line)?))
}

/// Why a command line looks destructive, if it does: front ends must ask
/// before running it.
pub fn danger(line: &str) -> Option<String> {
    // Look at every simple command in the line, including after ; && || |.
    let spaced = line.replace([';', '|', '&', '\n', '(', ')', '`'], " ; ");
    let words = shell_words::split(&spaced).unwrap_or_else(|_| spaced.split_whitespace().map(String::from).collect());
    let mut starts = vec![0];
    starts.extend(words.iter().enumerate().filter(|(_, w)| *w == ";").map(|(i, _)| i + 1));
    for s in starts {
        let cmd: Vec<&str> = words.iter().skip(s).take_while(|w| *w != ";").map(String::as_str).collect();
        // Skip wrappers that run the real command.
        let cmd: Vec<&str> = cmd.into_iter().skip_while(|w| matches!(*w, "sudo" | "doas" | "nohup" | "exec" | "time" | "env")).collect();
        let Some(prog) = cmd.first().map(|p| p.rsplit('/').next().unwrap_or(p)) else { continue };
        let args = &cmd[1..];
        let flag = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
        let reason = match prog {
            "rm" if (flag('r') || flag('R') || args.contains(&"--recursive")) && (flag('f') || args.contains(&"--force")) => {
                Some("rm -rf deletes recursively without asking")
            }
            "shutdown" | "poweroff" | "halt" => Some("it powers the machine off"),
            "reboot" => Some("it reboots the machine"),
            "init" | "telinit" if args.first().is_some_and(|a| *a == "0" || *a == "6") => Some("it changes runlevel to halt/reboot"),
            "systemctl" if args.iter().any(|a| matches!(*a, "reboot" | "poweroff" | "halt" | "kexec")) => {
                Some("it reboots or powers off the machine")
            }
            "dd" => Some("dd can overwrite disks"),
            p if p.starts_with("mkfs") || p == "wipefs" => Some("it formats a filesystem"),
            _ => None,
        };
        if let Some(r) = reason {
            return Some(format!("`{}` looks dangerous: {r}", cmd.join(" ")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_a_real_shell() {
        let nasty = ["a b", "it's", "$(touch /tmp/x)", "`id`", "a;b", "new\nline", "\"q\"", "", "*", "\\"];
        let words: Vec<String> = std::iter::once("printf".to_string())
            .chain(std::iter::once("%s\\0".to_string()))
            .chain(nasty.iter().map(|s| s.to_string()))
            .collect();
        let out = std::process::Command::new("sh").arg("-c").arg(join(&words)).output().unwrap();
        let got: Vec<String> =
            out.stdout.split(|b| *b == 0).map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        assert_eq!(&got[..nasty.len()], &nasty.map(String::from)[..]);
    }

    #[test]
    fn split_is_posix_and_refuses_unbalanced() {
        assert_eq!(split("ls -la 'a b' \"c d\"").unwrap(), vec!["ls", "-la", "a b", "c d"]);
        let e = split("echo 'oops").unwrap_err().to_string();
        assert!(e.contains("balanced quotes") && e.contains("echo 'oops"), "{e}");
        assert!(split("   ").is_err());
        assert_eq!(remote_command("echo $(id)", false).unwrap(), "echo '$(id)'");
        assert_eq!(remote_command("df | tail -1", true).unwrap(), "sh -c 'df | tail -1'");
    }

    #[test]
    fn dangerous_lines_are_spotted() {
        for d in ["rm -rf /", "sudo rm -fr /var", "rm -r -f x", "echo hi; reboot", "shutdown -h now", "mkfs.ext4 /dev/sda1",
            "dd if=/dev/zero of=/dev/sda", "systemctl poweroff", "ls && /sbin/reboot", "init 0"] {
            assert!(danger(d).is_some(), "{d}");
        }
        for ok in ["rm file", "rm -r dir", "uptime", "echo reboot", "ls -rf", "grep -rf x", "systemctl status"] {
            assert!(danger(ok).is_none(), "{ok}");
        }
    }
}
