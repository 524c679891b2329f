//! Key encodings. Time-ordered keys are big-endian so sled's byte order is
//! time order: a reverse iterator is "newest first" with no sorting.

use chrono::{DateTime, TimeZone, Utc};

/// 8 bytes of microseconds since the epoch (sign-flipped so pre-1970 still
/// sorts) followed by 8 bytes of a per-db sequence to break ties.
pub fn time_key(at: DateTime<Utc>, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&time_prefix(at));
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// The 8-byte time part alone, for range bounds.
pub fn time_prefix(at: DateTime<Utc>) -> [u8; 8] {
    let micros = at.timestamp_micros();
    ((micros as u64) ^ (1u64 << 63)).to_be_bytes()
}

/// Read back the time and sequence of a [`time_key`]; `None` if malformed.
pub fn decode_time_key(k: &[u8]) -> Option<(DateTime<Utc>, u64)> {
    if k.len() < 16 {
        return None;
    }
    let raw = u64::from_be_bytes(k[..8].try_into().ok()?) ^ (1u64 << 63);
    let seq = u64::from_be_bytes(k[8..16].try_into().ok()?);
    Utc.timestamp_micros(raw as i64).single().map(|t| (t, seq))
}

/// A key under a string prefix: `prefix 0x00 rest`. The NUL keeps
/// "vault" from matching "vaulted".
pub fn prefixed(prefix: &str, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 1 + rest.len());
    k.extend_from_slice(prefix.as_bytes());
    k.push(0);
    k.extend_from_slice(rest);
    k
}

pub fn id_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn time_keys_sort_by_time_then_seq() {
        let t = Utc::now();
        let a = time_key(t, 9);
        let b = time_key(t + Duration::microseconds(1), 1);
        let c = time_key(t + Duration::microseconds(1), 2);
        assert!(a < b && b < c);
        let old = time_key(Utc.timestamp_opt(-5, 0).unwrap(), 0);
        assert!(old < a);
    }

    #[test]
    fn time_keys_round_trip() {
        let t = Utc.timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(decode_time_key(&time_key(t, 7)), Some((t, 7)));
        assert_eq!(decode_time_key(&[1, 2, 3]), None);
    }

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        assert_eq!(unhex(&crate::engine::digest::hex(&[0, 255, 16])), Some(vec![0, 255, 16]));
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("abc"), None);
    }
}
