//! Getting secrets into the CLI without putting them on argv or in a plain
//! environment variable: a masked prompt on the terminal, a file named by
//! HOMEDECK_PASSPHRASE_FILE, or (for secret values) standard input.

use anyhow::{Context, Result, bail};
use crate::engine::SecretValue;
use std::io::{IsTerminal, Read};

pub const PASSPHRASE_FILE_ENV: &str = "HOMEDECK_PASSPHRASE_FILE";
pub const NEW_PASSPHRASE_FILE_ENV: &str = "HOMEDECK_NEW_PASSPHRASE_FILE";

/// First line of a file, without the newline. The file should be 0600.
fn read_first_line(path: &str, var: &str) -> Result<SecretValue> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read the passphrase file {path:?} named by {var}"))?,
    );
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        bail!("the passphrase file {path:?} named by {var} is empty — expected the passphrase on its first line");
    }
    Ok(SecretValue::new(line))
}

fn prompt(label: &str) -> Result<SecretValue> {
    let v = rpassword::prompt_password(label)
        .context("cannot read a passphrase: no terminal to prompt on (set HOMEDECK_PASSPHRASE_FILE to a file holding it)")?;
    Ok(SecretValue::new(v))
}

/// The vault passphrase, for unlocking.
pub fn passphrase() -> Result<SecretValue> {
    match std::env::var(PASSPHRASE_FILE_ENV) {
        Ok(path) => read_first_line(&path, PASSPHRASE_FILE_ENV),
        Err(_) => prompt("Vault passphrase: "),
    }
}

/// A new passphrase, asked twice on a terminal. `env` names the file variable
/// that can supply it instead.
pub fn new_passphrase(env: &str, what: &str) -> Result<SecretValue> {
    if let Ok(path) = std::env::var(env) {
        return read_first_line(&path, env);
    }
    let a = prompt(&format!("{what}: "))?;
    let b = prompt(&format!("{what} (again): "))?;
    if a != b {
        bail!("the two passphrases differ — nothing was changed");
    }
    Ok(a)
}

/// A secret value: prompted (twice, masked) on a terminal, or read whole from
/// stdin when stdin is a pipe (one trailing newline removed).
pub fn secret_value(what: &str) -> Result<SecretValue> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let a = prompt(&format!("{what}: "))?;
        let b = prompt(&format!("{what} (again): "))?;
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
