//! Words and numbers as people read them, shared by the engine's summaries
//! and every front end: `1 entry` / `9 entries` (never `entr(ies)`), and byte
//! counts in KiB/MiB/GiB (never `201580 bytes`). One place, so the console,
//! the CLI and the audit log say it the same way.

/// `n` and the right form of the noun: `plural(1, "entry", "entries")` is
/// `1 entry`, `plural(0, "entry", "entries")` is `0 entries`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A byte count in binary units with one decimal: `512 B`, `196.9 KiB`,
/// `3.4 MiB`, `1.2 GiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_right_noun() {
        assert_eq!(plural(1, "entry", "entries"), "1 entry");
        assert_eq!(plural(0, "entry", "entries"), "0 entries");
        assert_eq!(plural(9, "audit entry", "audit entries"), "9 audit entries");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(201_580), "196.9 KiB");
        assert_eq!(size(3 << 20), "3.0 MiB");
        assert_eq!(size(5 << 30), "5.0 GiB");
        assert_eq!(size(u64::MAX), "16777216.0 TiB");
    }
}
