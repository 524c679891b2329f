//! What every target shares: the case count, the mutator that turns real
//! samples into hostile ones, and the allocation bound.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// The whole fuzz binary may hold at most this much at once. Inputs are at
/// most a few hundred KiB; a decoder that allocates what a hostile length
/// prefix claims (4 GiB, say) hits the cap, and the allocation failure
/// aborts the run with "memory allocation of N bytes failed".
pub const ALLOC_LIMIT: usize = 256 << 20;

/// Cases per target: `HOMEDECK_FUZZ_CASES`, or `default` (chosen per target
/// so the suite's share stays small; benches/fuzz.sh asks for a million).
pub fn config(default: u32) -> Config {
    let cases = std::env::var("HOMEDECK_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Config {
        cases,
        // Shrinking is what turns a crash into a minimal regression input.
        max_shrink_iters: 4096,
        // Regressions live in regressions.rs as named tests, not in files.
        failure_persistence: None,
        ..Config::default()
    }
}

/// One edit to a sample. Positions are fractions of the length, so the same
/// edit applies to any sample.
#[derive(Debug, Clone)]
pub enum Edit {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Truncate(Index),
    /// Overwrite with a big-endian u32 (a length prefix: 0xFFFFFFFF, 1 << 31 …).
    Length(Index, u32),
    /// Repeat a slice (the shape of a stream that goes on).
    Duplicate(Index, usize),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop_oneof![Just(u32::MAX), Just(1u32 << 31), Just(1u32 << 24), Just(65_536u32), Just(0u32), any::<u32>()];
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Edit::Flip(i, b)),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        2 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        1 => any::<Index>().prop_map(Edit::Truncate),
        2 => (any::<Index>(), interesting).prop_map(|(i, n)| Edit::Length(i, n)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Edit::Duplicate(i, n)),
    ]
}

pub fn apply(sample: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = sample.to_vec();
    for e in edits {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
        match e {
            Edit::Flip(i, bit) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] ^= 1 << bit;
            }
            Edit::Set(i, v) if !b.is_empty() => {
                let p = at(i, b.len());
                b[p] = *v;
            }
            Edit::Insert(i, bytes) => {
                let p = at(i, b.len() + 1);
                b.splice(p..p, bytes.iter().copied());
            }
            Edit::Delete(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                let end = (p + n).min(b.len());
                b.drain(p..end);
            }
            Edit::Truncate(i) => {
                let p = at(i, b.len() + 1);
                b.truncate(p);
            }
            Edit::Length(i, n) => {
                let p = at(i, b.len() + 1);
                let end = (p + 4).min(b.len());
                b.splice(p..end, n.to_be_bytes());
            }
            Edit::Duplicate(i, n) if !b.is_empty() => {
                let p = at(i, b.len());
                let end = (p + n).min(b.len());
                let copy = b[p..end].to_vec();
                b.splice(end..end, copy);
            }
            _ => {}
        }
    }
    b
}

/// A sample from `samples`, mutated by one to eight edits; now and then
/// bytes with no sample behind them at all.
pub fn mutated(samples: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    assert!(!samples.is_empty());
    let from_sample = (proptest::sample::select(samples), proptest::collection::vec(edit(), 1..8)).prop_map(|(s, e)| apply(&s, &e));
    prop_oneof![9 => from_sample, 1 => proptest::collection::vec(any::<u8>(), 0..512)]
}

/// Like [`mutated`], for text formats: the result is turned into a string
/// (lossily), as a file read with `read_to_string` would be or be refused.
pub fn mutated_text(samples: Vec<String>) -> impl Strategy<Value = String> {
    mutated(samples.into_iter().map(String::into_bytes).collect()).prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The repository's root (for fixtures).
pub fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An error message that names something: a value, a field or a place.
/// `names` are the words that count for this decoder (a field, "line" …);
/// a digit or a quote counts too (a byte count, an offset, a quoted value).
pub fn names_something(msg: &str, names: &[&str]) -> bool {
    !msg.trim().is_empty() && (msg.chars().any(|c| c.is_ascii_digit() || c == '"' || c == '`') || names.iter().any(|n| msg.contains(n)))
}
