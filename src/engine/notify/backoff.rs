//! How long a failed delivery waits: exponential back-off with "equal
//! jitter" — half the step is fixed, half random — so many deliveries that
//! failed together (a receiver restarting) do not all come back at once,
//! yet none retries much sooner than its step.

use std::time::Duration;

/// The wait after the `attempts`-th failed attempt: `base × 2^(attempts−1)`,
/// capped at `max`, then scaled into `[½, 1]` of itself by `jitter` (0–1).
pub fn delay(attempts: u32, base_secs: u64, max_secs: u64, jitter: f64) -> Duration {
    let exp = attempts.saturating_sub(1).min(40);
    let step = (base_secs as f64 * 2f64.powi(exp as i32)).min(max_secs as f64);
    Duration::from_secs_f64(step * (0.5 + 0.5 * jitter.clamp(0.0, 1.0)))
}

/// A number in `[0, 1)`, different on every call (not for cryptography).
pub fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_within_the_jitter_band() {
        for (n, step) in [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0), (10, 300.0), (99, 300.0)] {
            let lo = delay(n, 5, 300, 0.0).as_secs_f64();
            let hi = delay(n, 5, 300, 1.0).as_secs_f64();
            assert!((lo - step / 2.0).abs() < 1e-6 && (hi - step).abs() < 1e-6, "attempt {n}: {lo}..{hi}");
        }
    }

    #[test]
    fn jitter_varies_and_stays_in_range() {
        let xs: Vec<f64> = (0..50).map(|_| jitter()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.iter().any(|x| (x - xs[0]).abs() > 1e-9), "jitter never changed");
    }
}
