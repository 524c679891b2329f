//! Getting secrets into the CLI without putting them on argv or in a plain
//! environment variable: a masked prompt on the terminal, a file named by
//! HOMEDECK_PASSPHRASE_FILE, or (for secret values) standard input.

use anyhow::{Context, Result, bail};
use crate::engine::SecretValue;
use std::io::{IsTerminal, Read};

pub const PASSPHRASE_FILE_ENV: &str = "HOMEDECK_PASSPHRASE_FILE";
pub const NEW_PASSPHRASE_FILE_ENV: &str = "HOMEDECK_NEW_PASSPHRASE_FILE";

/// First line of a file, without the newline. A file group or others can
/// read is refused (`chmod 600 FILE` is in the message).
pub fn read_first_line(path: &str, var: &str) -> Result<SecretValue> {
    SecretValue::from_file(std::path::Path::new(path)).map_err(|e| anyhow::anyhow!("the file named by {var}: {e}"))
}

/// A masked prompt; `env` names the variable that can supply the answer
/// from a file when there is no terminal.
fn prompt(label: &str, env: &str) -> Result<SecretValue> {
    prompt_or(label, &format!("set {env} to a file holding it"))
}

/// A masked prompt; `fix` says how to answer without a terminal.
fn prompt_or(label: &str, fix: &str) -> Result<SecretValue> {
    let what = label.trim_end_matches([':', ' ']).to_lowercase();
    let v = rpassword::prompt_password(label).with_context(|| format!("cannot read the {what}: no terminal to prompt on ({fix})"))?;
    Ok(SecretValue::new(v))
}

/// The vault passphrase, for unlocking.
pub fn passphrase() -> Result<SecretValue> {
    match std::env::var(PASSPHRASE_FILE_ENV) {
        Ok(path) => read_first_line(&path, PASSPHRASE_FILE_ENV),
        Err(_) => prompt("Vault passphrase: ", PASSPHRASE_FILE_ENV),
    }
}

/// The vault's minimum passphrase length, stated before the first prompt.
pub const MIN_PASSPHRASE: usize = 8;

/// A new passphrase or password, asked twice on a terminal so a typo cannot
/// lock its owner out. `env` names the file variable that can supply it
/// instead. `hint` is said before the first prompt (the rules it must meet);
/// `nothing` says what a mismatch left undone ("no archive was created").
pub fn new_secret(env: &str, what: &str, hint: &str, nothing: &str) -> Result<SecretValue> {
    if let Ok(path) = std::env::var(env) {
        return read_first_line(&path, env);
    }
    if !hint.is_empty() && std::io::stdin().is_terminal() {
        eprintln!("{hint}");
    }
    let a = prompt(&format!("{what}: "), env)?;
    let b = prompt(&format!("{what} (again): "), env)?;
    if a != b {
        let what = what.to_lowercase();
        bail!("the two {what} entries differ — {nothing}; run it again and type the same {what} twice");
    }
    Ok(a)
}

/// A new vault passphrase, asked twice, its minimum length said up front.
pub fn new_passphrase(env: &str, what: &str) -> Result<SecretValue> {
    let hint = format!("Choose a passphrase of at least {MIN_PASSPHRASE} characters; it cannot be recovered if lost.");
    new_secret(env, what, &hint, "nothing was changed")
}

/// A secret value: prompted (twice, masked) on a terminal, or read whole from
/// stdin when stdin is a pipe (one trailing newline removed).
pub fn secret_value(what: &str) -> Result<SecretValue> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let a = prompt_or(&format!("{what}: "), "pipe it on stdin")?;
        let b = prompt_or(&format!("{what} (again): "), "pipe it on stdin")?;
        if a != b {
            bail!("the two values differ — nothing was stored");
        }
        return Ok(a);
    }
    let mut buf = zeroize::Zeroizing::new(String::new());
    stdin.lock().read_to_string(&mut buf).context("cannot read the secret value from stdin")?;
    let trimmed = buf.strip_suffix('\n').map(|s| s.strip_suffix('\r').unwrap_or(s)).unwrap_or(&buf);
    Ok(SecretValue::new(trimmed))
}
