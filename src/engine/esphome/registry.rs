//! ESPHome's sled trees: devices by name, and the firmware registry by
//! SHA-256 (the images themselves are files under the data dir, named by
//! their hash, so a registry entry can always be checked against its bytes).

use super::types::{Device, Firmware};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use crate::engine::store::codec::{self, Record};
use std::path::{Path, PathBuf};

/// The trees this domain owns.
pub const TREES: &[&str] = &[DEVICES, FIRMWARE];
/// name → [`Device`]
pub const DEVICES: &str = "esphome_devices";
/// sha256 hex → [`Firmware`]
pub const FIRMWARE: &str = "esphome_firmware";

impl Record for Device {
    const WHAT: &'static str = "ESPHome device";
}

impl Record for Firmware {
    const WHAT: &'static str = "firmware entry";
}

pub fn devices(store: &Store) -> EngineResult<sled::Tree> {
    store.tree(DEVICES)
}

pub fn list(store: &Store) -> EngineResult<Vec<Device>> {
    let tree = devices(store)?;
    let mut out = Vec::new();
    for item in tree.iter() {
        let (_, v) = item?;
        out.push(codec::decode::<Device>(&v)?);
    }
    Ok(out)
}

pub fn get(store: &Store, name: &str) -> EngineResult<Device> {
    store.get::<Device>(&devices(store)?, name.as_bytes())?.ok_or_else(|| EngineError::not_found("ESPHome device", name))
}

pub fn find(store: &Store, name: &str) -> EngineResult<Option<Device>> {
    store.get::<Device>(&devices(store)?, name.as_bytes())
}

pub fn put(store: &Store, device: &Device) -> EngineResult<()> {
    store.put(&devices(store)?, device.name.as_bytes(), device)
}

pub fn remove(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(devices(store)?.remove(name.as_bytes())?.is_some())
}

/// Update a device in place from a background task (no flush: the next
/// command flushes; last-seen times are not worth a disk sync each).
pub fn update_in(tree: &sled::Tree, name: &str, f: impl Fn(&mut Device)) -> EngineResult<()> {
    let mut failure = None;
    tree.update_and_fetch(name.as_bytes(), |old| {
        let old = old?;
        match codec::decode::<Device>(old) {
            Ok(mut d) => {
                f(&mut d);
                match codec::encode(&d) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        failure = Some(e);
                        Some(old.to_vec())
                    }
                }
            }
            Err(e) => {
                failure = Some(e);
                Some(old.to_vec())
            }
        }
    })?;
    failure.map_or(Ok(()), Err)
}

pub fn firmware_dir(store: &Store) -> PathBuf {
    store.dir.join("esphome").join("firmware")
}

pub fn firmware_path(store: &Store, sha256: &str) -> PathBuf {
    firmware_dir(store).join(format!("{sha256}.bin"))
}

pub fn firmware_list(store: &Store) -> EngineResult<Vec<Firmware>> {
    let tree = store.tree(FIRMWARE)?;
    let mut out = Vec::new();
    for item in tree.iter() {
        let (_, v) = item?;
        out.push(codec::decode::<Firmware>(&v)?);
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.imported));
    Ok(out)
}

pub fn firmware_put(store: &Store, fw: &Firmware) -> EngineResult<()> {
    store.put(&store.tree(FIRMWARE)?, fw.sha256.as_bytes(), fw)
}

/// A firmware by SHA-256 prefix (at least 6 hex digits) or by version label.
pub fn firmware_find(store: &Store, reference: &str) -> EngineResult<Firmware> {
    let all = firmware_list(store)?;
    let r = reference.trim();
    let by_hash: Vec<&Firmware> = if r.len() >= 6 && r.chars().all(|c| c.is_ascii_hexdigit()) {
        all.iter().filter(|f| f.sha256.starts_with(&r.to_ascii_lowercase())).collect()
    } else {
        Vec::new()
    };
    let hits = if by_hash.is_empty() { all.iter().filter(|f| f.version == r).collect() } else { by_hash };
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(EngineError::invalid(
            "firmware",
            r,
            "the version label or SHA-256 prefix of an imported firmware (`homedeck esphome firmware list`)",
        )),
        many => Err(EngineError::invalid(
            "firmware",
            r,
            &format!(
                "one firmware, but it matches {}: use a SHA-256 prefix",
                many.iter().map(|f| format!("{} ({})", f.short_id(), f.platform)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// Read an imported image back, checking it still hashes to its name.
pub fn firmware_bytes(store: &Store, fw: &Firmware) -> EngineResult<Vec<u8>> {
    let path = firmware_path(store, &fw.sha256);
    let bytes = read_capped(&path)?;
    let got = crate::engine::digest::sha256_hex(&bytes);
    if got != fw.sha256 {
        return Err(EngineError::Corrupt {
            what: "firmware".into(),
            detail: format!("{} hashes to {got}, expected {}", path.display(), fw.sha256),
        });
    }
    Ok(bytes)
}

/// Firmware images bigger than this are refused (the largest ESP flash
/// partitions are well under it).
pub const MAX_FIRMWARE: u64 = 16 * 1024 * 1024;

pub fn read_capped(path: &Path) -> EngineResult<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| EngineError::invalid("path", path.display().to_string(), &format!("a readable firmware file ({e})")))?;
    if !meta.is_file() {
        return Err(EngineError::invalid("path", path.display().to_string(), "a regular file"));
    }
    if meta.len() > MAX_FIRMWARE {
        return Err(EngineError::invalid(
            "path",
            path.display().to_string(),
            &format!("a firmware image of at most {MAX_FIRMWARE} bytes (it has {})", meta.len()),
        ));
    }
    std::fs::read(path).map_err(|e| EngineError::invalid("path", path.display().to_string(), &format!("a readable file ({e})")))
}
