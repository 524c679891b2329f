//! `homedeck commands` and `homedeck run NAME key=value…`: the whole verb
//! table, generated, so every engine command is scriptable the day it exists.

use super::args::RunArgs;
use super::{Session, confirm, prompt, table};
use crate::engine::command_parse;
use crate::engine::{COMMANDS, EngineError, Permission};
use anyhow::{Result, anyhow};

pub fn list(json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(COMMANDS)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> =
        COMMANDS.iter().map(|c| vec![c.name.to_string(), c.class.as_str().to_string(), c.summary().to_string()]).collect();
    print!("{}", table::render(&["COMMAND", "CLASS", "WHAT IT DOES"], &rows));
    println!("\nRun any of them with `homedeck run NAME key=value …`; secret arguments are prompted.");
    Ok(())
}

pub async fn run(s: &Session, a: RunArgs) -> Result<()> {
    let spec = crate::engine::command::spec(&a.name)
        .ok_or_else(|| anyhow!("unknown command {:?} — `homedeck commands` lists them", a.name))?;
    if spec.class == Permission::Dangerous && !a.yes && !confirm(&format!("Run dangerous command {}?", spec.name)) {
        return Err(anyhow!("not run"));
    }
    let mut secrets = Vec::new();
    for arg in spec.args.iter().filter(|a| a.secret()) {
        let v = if arg.name == "passphrase" || arg.name == "current" {
            prompt::passphrase()?
        } else if spec.name == "vault_change_passphrase" || spec.name == "vault_init" {
            prompt::new_passphrase(prompt::NEW_PASSPHRASE_FILE_ENV, "New vault passphrase")?
        } else {
            prompt::secret_value(arg.name)?
        };
        secrets.push((arg.name.to_string(), v.expose().to_string()));
    }
    let command = command_parse::parse(spec.name, &a.args, secrets)?;
    // Whether a command needs the vault key is the engine's business: ask
    // for the passphrase only when it says the vault is locked.
    let outcome = match s.exec(command.clone()).await {
        Err(e) if matches!(e.downcast_ref::<EngineError>(), Some(EngineError::VaultLocked)) => {
            s.unlock().await?;
            s.exec(command).await?
        }
        other => other?,
    };
    s.print(&outcome)
}
