//! The firmware registry: import a .bin with its SHA-256, a version label
//! and the platform it was built for; refuse images that are plainly not
//! firmware for that platform, and (at OTA time) refuse a platform mismatch.

use super::registry;
use super::types::{Device, Firmware, normalise_platform};
use crate::engine::digest::sha256_hex;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use chrono::Utc;
use std::path::Path;

/// ESP32 and ESP8266 application images start with 0xE9; ESPHome's
/// `firmware.ota.bin` for ESP8266 may be gzip (1F 8B).
fn check_image(platform: &str, bytes: &[u8], path: &Path) -> EngineResult<()> {
    let shown = path.display().to_string();
    if bytes.is_empty() {
        return Err(EngineError::invalid("path", shown, "a non-empty firmware image"));
    }
    if matches!(platform, "ESP32" | "ESP8266") && bytes[0] != 0xE9 && !bytes.starts_with(&[0x1F, 0x8B]) {
        return Err(EngineError::invalid(
            "path",
            shown,
            &format!("an {platform} application image (first byte 0xE9, or gzip), but it starts with 0x{:02X}", bytes[0]),
        ));
    }
    Ok(())
}

pub fn validate_version(version: &str) -> EngineResult<()> {
    let ok = !version.is_empty()
        && version.len() <= 64
        && version.chars().all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c));
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid("version", version, "a version label of 1–64 letters, digits and . _ - +"))
    }
}

/// Copy the image into the registry. Importing the same bytes again
/// updates the label and platform and says so.
pub fn import(store: &Store, path: &Path, version: &str, platform: &str) -> EngineResult<(Firmware, Option<Firmware>)> {
    validate_version(version)?;
    let platform = normalise_platform(platform)?;
    let bytes = registry::read_capped(path)?;
    check_image(&platform, &bytes, path)?;
    let sha256 = sha256_hex(&bytes);
    let dir = registry::firmware_dir(store);
    std::fs::create_dir_all(&dir).map_err(|e| EngineError::Store(format!("cannot create {}: {e}", dir.display())))?;
    let dest = registry::firmware_path(store, &sha256);
    let tmp = dest.with_extension("part");
    std::fs::write(&tmp, &bytes)
        .and_then(|_| std::fs::rename(&tmp, &dest))
        .map_err(|e| EngineError::Store(format!("cannot write {}: {e}", dest.display())))?;
    let previous = store.get::<Firmware>(&store.tree(registry::FIRMWARE)?, sha256.as_bytes())?;
    let fw = Firmware {
        sha256,
        version: version.to_string(),
        platform,
        size: bytes.len() as u64,
        file_name: path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        imported: Utc::now(),
    };
    registry::firmware_put(store, &fw)?;
    Ok((fw, previous))
}

/// Refuse a firmware built for another platform than the device's.
pub fn check_platform(device: &Device, fw: &Firmware) -> EngineResult<()> {
    match device.platform.as_deref() {
        Some(p) if p == fw.platform => Ok(()),
        Some(p) => Err(EngineError::invalid(
            "firmware",
            format!("{} ({})", fw.version, fw.platform),
            &format!("a firmware for {p}, the platform of {}", device.name),
        )),
        None => Err(EngineError::invalid(
            "device",
            &device.name,
            "a device with a known platform (discover it, or add it again with platform=…) before flashing",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_checks() {
        let p = Path::new("fw.bin");
        assert!(check_image("ESP32", &[0xE9, 1, 2], p).is_ok());
        assert!(check_image("ESP8266", &[0x1F, 0x8B, 8], p).is_ok());
        let e = check_image("ESP32", b"<html>", p).unwrap_err().to_string();
        assert!(e.contains("0x3C") && e.contains("fw.bin"), "{e}");
        assert!(check_image("RP2040", b"anything", p).is_ok());
        assert!(check_image("RP2040", b"", p).is_err());
        assert!(validate_version("2025.6.1-dev").is_ok());
        assert!(validate_version("a b").is_err());
    }
}
