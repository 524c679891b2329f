//! `homedeck doctor [--repair] [--read-data] [--json]`: the consistency
//! check, printed as one block per finding (what, then the fix). Exits 1
//! while a problem is left, so scripts and the crash test can rely on it.

use super::Session;
use crate::engine::views::doctor::{Finding, Level};
use crate::engine::{Command, DoctorOutcome, Outcome};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Fix what is safe to fix (rebuild indexes, tighten modes, forget archives that are gone, remove a stale socket) and say what was done
    #[arg(long)]
    pub repair: bool,
    /// Also read every local archive and compare its SHA-256 with the catalog
    #[arg(long)]
    pub read_data: bool,
}

pub async fn run(s: &Session, a: DoctorArgs) -> Result<()> {
    let read_data = Some(a.read_data);
    let command = if a.repair { Command::DoctorRepair { read_data } } else { Command::DoctorCheck { read_data } };
    let outcome = s.exec(command).await?;
    s.print(&outcome)?;
    match &outcome {
        Outcome::Doctor(d) if d.open_problems() > 0 => Err(anyhow::anyhow!("{}", d.summary())),
        _ => Ok(()),
    }
}

impl super::output::Human for DoctorOutcome {
    fn human(&self) {
        match self {
            DoctorOutcome::DoctorReport { findings, checked, read_data, .. } => {
                for f in findings {
                    print_finding(f);
                }
                let hashed = if *read_data { format!(", {} hashed", crate::engine::views::text::plural(checked.archives_hashed as usize, "archive", "archives")) } else { String::new() };
                println!(
                    "checked: schema version {}, {} audit entries, {} secrets, {} backups{hashed}",
                    checked.schema_version, checked.audit_entries, checked.secrets, checked.backups
                );
                println!("{}", self.summary());
            }
        }
    }
}

fn print_finding(f: &Finding) {
    let tag = match (f.level, &f.repaired) {
        (_, Some(_)) => "REPAIRED",
        (Level::Problem, None) => "PROBLEM",
        (Level::Note, None) => "note",
    };
    println!("{tag} [{}] {}", f.area, f.what);
    match &f.repaired {
        Some(done) => println!("    done: {done}"),
        None => println!("    fix:  {}", f.fix),
    }
}
