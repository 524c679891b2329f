//! The lock file and the daemon's socket. The lock is held by this engine
//! while the doctor runs, so it is only checked for being a file; a socket
//! file nobody answers on is left by a daemon that was killed, and is
//! removed by `--repair` (the next daemon would replace it anyway).

use super::outcome::{Area, Finding};
use crate::engine::Inner;

pub(crate) fn check(inner: &Inner, repair: bool, out: &mut Vec<Finding>) {
    let lock = inner.opts.data_dir.join("homedeck.lock");
    match std::fs::symlink_metadata(&lock) {
        Ok(m) if m.is_file() => {}
        Ok(_) => out.push(Finding::problem(Area::Lock, "lock_not_a_file", format!("{} is not a regular file", lock.display()), format!("stop homedeck, move it away (mv {0} {0}.bad) and start again", lock.display()))),
        Err(e) => out.push(Finding::problem(Area::Lock, "lock_missing", format!("{} cannot be read while the store is open: {e}", lock.display()), "stop every homedeck on this data dir and start again")),
    }
    let Some(socket) = inner.opts.doctor.socket.clone() else { return };
    let Ok(meta) = std::fs::symlink_metadata(&socket) else { return };
    use std::os::unix::fs::FileTypeExt;
    if !meta.file_type().is_socket() {
        out.push(Finding::problem(Area::Lock, "socket_not_a_socket", format!("{} is not a socket, so no daemon can listen there", socket.display()), format!("move it away: mv {0} {0}.bad", socket.display())));
        return;
    }
    if std::os::unix::net::UnixStream::connect(&socket).is_err() {
        let mut f = Finding::problem(
            Area::Lock,
            "socket_stale",
            format!("{} is left by a homedeck that did not stop cleanly: nothing answers on it", socket.display()),
            format!("homedeck doctor --repair (removes it), or rm {}", socket.display()),
        );
        if repair && std::fs::remove_file(&socket).is_ok() {
            f.repaired = Some(format!("removed the stale socket {}", socket.display()));
        }
        out.push(f);
    }
}
