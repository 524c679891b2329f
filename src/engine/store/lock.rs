//! One homedeck per data dir. sled itself refuses a second opener with an
//! opaque I/O error; this lock file comes first and records who holds it, so
//! the second process can say "in use by pid 4242 (alice, tui, since 10:02)".

use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    user: String,
    frontend: String,
    since: String,
}

/// Held for as long as the store is open; the OS releases it if the process dies.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(dir: &Path, actor: &Actor) -> EngineResult<Self> {
        let path = dir.join("homedeck.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| EngineError::Store(format!("cannot open lock file {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = serde_json::from_str::<Holder>(&text)
                    .map(|h| format!("pid {}, {} via {}, since {}", h.pid, h.user, h.frontend, h.since))
                    .unwrap_or_else(|_| "holder unknown".to_string());
                return Err(EngineError::Busy { path: dir.display().to_string(), holder });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(EngineError::Store(format!("cannot lock {}: {e}", path.display())));
            }
        }
        let holder = Holder {
            pid: std::process::id(),
            user: actor.user.clone(),
            frontend: actor.frontend.as_str().to_string(),
            since: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        };
        let body = serde_json::to_string(&holder).map_err(|e| EngineError::Store(e.to_string()))?;
        let write = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)).map(|_| ()))
            .and_then(|_| file.write_all(body.as_bytes()))
            .and_then(|_| file.sync_all());
        write.map_err(|e| EngineError::Store(format!("cannot write lock file {}: {e}", path.display())))?;
        Ok(DataDirLock { _file: file })
    }
}
