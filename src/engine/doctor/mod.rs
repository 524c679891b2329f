//! `homedeck doctor`: a consistency check users can run too. It looks at
//! the store (schema version, the audit log against its index, secrets
//! against their names), the backup catalog against the repository files,
//! the permissions of the data, config and log dirs, and the lock and
//! socket; `doctor_repair` fixes what is safe to fix and says what it did.
//! Every finding names what is wrong and what to do (`outcome::Finding`).
//!
//! `store_check.rs`, `catalog_check.rs`, `permissions.rs` (also used by the
//! binary at start, to refuse a data dir others can read) and
//! `lock_check.rs` each own one area.

mod catalog_check;
pub mod facade;
mod lock_check;
pub mod outcome;
pub mod permissions;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
mod store_check;

use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::event::Event;
use crate::engine::{Inner, Outcome};
use outcome::{Checked, DoctorEvent, DoctorOutcome};
use std::path::PathBuf;

/// The doctor keeps no runtime state.
pub(crate) type State = ();

/// Where the front end keeps what the engine does not own: the config and
/// log dirs (for their permissions) and the daemon's socket path (a stale
/// one is reported). `None`: not looked at.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    pub config_dir: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub socket: Option<PathBuf>,
}

/// `doctor_check` (`repair` false) and `doctor_repair`.
pub(crate) fn run(inner: &Inner, ctx: &mut Ctx, repair: bool, read_data: bool) -> EngineResult<Outcome> {
    let mut findings = Vec::new();
    let mut checked = Checked::default();
    store_check::check(&inner.store, repair, &mut checked, &mut findings)?;
    catalog_check::check(inner, repair, read_data, &mut checked, &mut findings)?;
    let o = &inner.opts.doctor;
    let mut dirs = vec![("data dir", inner.opts.data_dir.as_path())];
    dirs.extend(o.config_dir.as_deref().map(|d| ("config dir", d)));
    dirs.extend(o.state_dir.as_deref().filter(|d| !d.starts_with(&inner.opts.data_dir)).map(|d| ("log dir", d)));
    findings.extend(permissions::findings(&dirs, repair));
    lock_check::check(inner, repair, &mut findings);
    inner.store.flush()?;
    let repaired = findings.iter().filter(|f| f.repaired.is_some()).count();
    if repair {
        ctx.describe(format!("doctor repair: {repaired} repaired, {} left", findings.iter().filter(|f| f.open()).count()));
        for f in findings.iter().filter(|f| f.repaired.is_some()) {
            ctx.change(&f.kind, Some(f.what.clone()), f.repaired.clone());
        }
        if repaired > 0 {
            inner.emit(Event::Doctor(DoctorEvent::DoctorRepaired { count: repaired }));
        }
    }
    Ok(Outcome::Doctor(DoctorOutcome::DoctorReport { findings, checked, repair, read_data }))
}
