//! Secret values taken out of text bound for somewhere no secret may go (an
//! AI provider, a stored conversation, the audit log): each occurrence of a
//! vault secret's value becomes `[secret:NAME]`, so the reader still knows
//! *which* secret was there without learning it.
//!
//! Unlocked, the engine can open every value, so the [`Scrubber`] knows them
//! all (opened here without counting a read: scrubbing is no use of the
//! secret, and counting it would bury the real uses in the access history).
//! Locked, no value can be opened — and no command can produce a decrypted
//! one — but a value opened earlier (revealed, used, or known to a scrubber)
//! may still sit in a result or a person's own text. For those the session
//! keeps fingerprints: a seeded 128-bit hash (XXH3, a random seed that never
//! leaves this process) and the length of each value opened, and a scrubber
//! looks for windows of text with a matching fingerprint. XXH3 rather than
//! an HMAC because every window of every string sent is hashed (a few ms
//! for a long request, not hundreds); whoever can read this process's
//! memory to get the fingerprints has the seed as well, so a keyed MAC
//! would guard nothing more. Unlocked, only values no longer current (a
//! rotated or revoked secret's old value) are looked for this way.

use super::SECRETS;
use super::crypto::{self, secret_aad};
use super::record::SecretRecord;
use crate::engine::Inner;
use crate::engine::secret_value::SecretValue;
use crate::engine::store::codec;
use xxhash_rust::xxh3::xxh3_128_with_seed;
use std::borrow::Cow;

/// How a secret's value is shown in scrubbed text.
pub fn marker(name: &str) -> String {
    format!("[secret:{name}]")
}

/// The fingerprint of one value opened this session.
#[derive(Clone)]
pub(crate) struct Seen {
    name: String,
    len: usize,
    tag: u128,
}

/// The fingerprints of values opened this session, kept across a lock
/// (they cannot be turned back into a value; the key is this process's own).
#[derive(Clone)]
pub(crate) struct Fingerprints {
    seed: u64,
    seen: Vec<Seen>,
}

impl Fingerprints {
    pub(crate) fn new() -> Option<Fingerprints> {
        let bytes = crypto::random_bytes::<8>().ok()?;
        Some(Fingerprints { seed: u64::from_le_bytes(bytes), seen: Vec::new() })
    }

    /// Remember `value` as secret `name` (once per name and value).
    pub(crate) fn note(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        let tag = xxh3_128_with_seed(value.as_bytes(), self.seed);
        if !self.seen.iter().any(|s| s.tag == tag && s.name == name) {
            self.seen.push(Seen { name: name.to_string(), len: value.len(), tag });
        }
    }

    /// These fingerprints less those of `values` (found exactly anyway).
    fn without(mut self, values: &[(String, SecretValue)]) -> Fingerprints {
        let current: Vec<u128> = values.iter().map(|(_, v)| xxh3_128_with_seed(v.expose().as_bytes(), self.seed)).collect();
        self.seen.retain(|s| !current.contains(&s.tag));
        self
    }

    /// Every `(start, end, name)` of `text` whose bytes have a remembered
    /// fingerprint, longest values first, never overlapping.
    fn find(&self, text: &str) -> Vec<(usize, usize, String)> {
        let mut lens: Vec<usize> = self.seen.iter().map(|s| s.len).collect();
        lens.sort_unstable_by(|a, b| b.cmp(a));
        lens.dedup();
        let bytes = text.as_bytes();
        let mut hits: Vec<(usize, usize, String)> = Vec::new();
        for len in lens {
            let mut at = 0;
            while at + len <= bytes.len() {
                let end = at + len;
                let free = !hits.iter().any(|(s, e, _)| at < *e && *s < end);
                if free && text.is_char_boundary(at) && text.is_char_boundary(end) {
                    let tag = xxh3_128_with_seed(&bytes[at..end], self.seed);
                    if let Some(s) = self.seen.iter().find(|s| s.len == len && s.tag == tag) {
                        hits.push((at, end, s.name.clone()));
                        at = end;
                        continue;
                    }
                }
                at += 1;
            }
        }
        hits.sort_by_key(|h| h.0);
        hits
    }
}

/// What one scrubbing pass knows: every value (unlocked) or the session's
/// fingerprints (locked).
pub struct Scrubber {
    /// (name, value), longest value first.
    values: Vec<(String, SecretValue)>,
    fingerprints: Option<Fingerprints>,
}

impl Scrubber {
    /// A scrubber that knows exactly these values (tests, and a caller
    /// that holds the values it used).
    pub fn of(values: Vec<(String, SecretValue)>) -> Scrubber {
        let mut values: Vec<(String, SecretValue)> = values.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.1.len()));
        Scrubber { values, fingerprints: None }
    }

    /// `text` with every known secret value replaced by its marker.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        for (name, value) in &self.values {
            if out.contains(value.expose()) {
                out = Cow::Owned(out.replace(value.expose(), &marker(name)));
            }
        }
        if let Some(f) = &self.fingerprints {
            let hits = f.find(&out);
            if !hits.is_empty() {
                let mut s = String::with_capacity(out.len());
                let mut last = 0;
                for (start, end, name) in hits {
                    s.push_str(&out[last..start]);
                    s.push_str(&marker(&name));
                    last = end;
                }
                s.push_str(&out[last..]);
                out = Cow::Owned(s);
            }
        }
        out
    }

    /// Every string inside `v` (keys too), scrubbed in place.
    pub fn scrub_json(&self, v: &mut serde_json::Value) {
        use serde_json::Value;
        match v {
            Value::String(s) => {
                if let Cow::Owned(clean) = self.scrub(s) {
                    *s = clean;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.scrub_json(x)),
            Value::Object(o) => {
                let dirty: Vec<String> = o.keys().filter(|k| matches!(self.scrub(k), Cow::Owned(_))).cloned().collect();
                for k in dirty {
                    if let Some(x) = o.remove(&k) {
                        o.insert(self.scrub(&k).into_owned(), x);
                    }
                }
                o.values_mut().for_each(|x| self.scrub_json(x));
            }
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.fingerprints.as_ref().is_none_or(|f| f.seen.is_empty())
    }
}

/// A scrubber for now: every live secret's value when the vault is
/// unlocked, the session's fingerprints when it is locked. Opening a value
/// here neither counts as a read nor refreshes the idle timer.
pub(crate) fn scrubber(inner: &Inner) -> Scrubber {
    let mut values = Vec::new();
    if let Some(key) = super::session::peek_key(inner) {
        for (name, value) in open_all(inner, &key) {
            super::session::note_seen(inner, &name, value.expose());
            values.push((name, value));
        }
    }
    // Locked or not, values opened before (a secret since revoked or
    // rotated) are still looked for by fingerprint.
    let fingerprints = super::session::fingerprints(inner).map(|f| f.without(&values)).filter(|f| !f.seen.is_empty());
    let mut s = Scrubber::of(values);
    s.fingerprints = fingerprints;
    s
}

/// Every live (not revoked) secret's value; a record that does not open is
/// skipped (its read fails loudly where it is used).
fn open_all(inner: &Inner, key: &crypto::Key) -> Vec<(String, SecretValue)> {
    let Ok(tree) = inner.store.tree(SECRETS) else { return Vec::new() };
    let mut out = Vec::new();
    for item in tree.iter().flatten() {
        let Ok(rec) = codec::decode::<SecretRecord>(&item.1) else { continue };
        let (Some(sealed), None) = (&rec.sealed, &rec.meta.revoked) else { continue };
        if let Ok(Some(plain)) = crypto::open(key, &secret_aad(rec.meta.id, rec.meta.version), sealed)
            && let Ok(text) = std::str::from_utf8(&plain)
        {
            out.push((rec.meta.name.clone(), SecretValue::new(text)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_values_become_markers_longest_first() {
        let s = Scrubber::of(vec![("short".into(), SecretValue::new("abc")), ("long".into(), SecretValue::new("abcdef"))]);
        assert_eq!(s.scrub("x abcdef y abc"), "x [secret:long] y [secret:short]");
        assert!(matches!(s.scrub("nothing here"), Cow::Borrowed(_)));
        let mut v = serde_json::json!({ "a": ["abcdef", { "abc": 1 }] });
        s.scrub_json(&mut v);
        assert_eq!(v, serde_json::json!({ "a": ["[secret:long]", { "[secret:short]": 1 }] }));
    }

    #[test]
    fn a_locked_scrubber_finds_values_by_fingerprint() {
        let mut f = Fingerprints::new().unwrap();
        f.note("router", "CANARY-77");
        f.note("pin", "4711");
        let s = Scrubber { values: Vec::new(), fingerprints: Some(f) };
        assert_eq!(s.scrub("out: CANARY-77 and é4711é, CANARY-7"), "out: [secret:router] and é[secret:pin]é, CANARY-7");
        assert!(matches!(s.scrub("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn unlocked_only_values_no_longer_current_are_looked_for_by_fingerprint() {
        let mut f = Fingerprints::new().unwrap();
        f.note("router", "current-value");
        f.note("router", "rotated-away");
        let f = f.without(&[("router".into(), SecretValue::new("current-value"))]);
        assert_eq!(f.seen.len(), 1);
        let s = Scrubber { values: Vec::new(), fingerprints: Some(f) };
        assert_eq!(s.scrub("old: rotated-away"), "old: [secret:router]");
    }
}
