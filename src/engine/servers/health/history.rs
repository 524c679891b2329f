//! Health history in sled: one point per server per minute (a later probe
//! in the same minute replaces the earlier one), pruned past the configured
//! window, so a server costs at most `hours × 60` small records.

use super::types::{Point, Sample};
use crate::engine::error::EngineResult;
use crate::engine::servers::store::HEALTH;
use crate::engine::store::{Store, codec::{self, Record}};
use chrono::{DateTime, Duration, Timelike, Utc};

impl Record for Point {
    const WHAT: &'static str = "health point";
}

fn prefix(server: &str) -> Vec<u8> {
    let mut k = server.as_bytes().to_vec();
    k.push(0);
    k
}

fn key(server: &str, t: DateTime<Utc>) -> Vec<u8> {
    let mut k = prefix(server);
    k.extend_from_slice(&t.timestamp().to_be_bytes());
    k
}

fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(t)
}

pub fn record(store: &Store, server: &str, s: &Sample, hours: u32) -> EngineResult<()> {
    let tree = store.tree(HEALTH)?;
    store.put(&tree, key(server, minute(s.time)), &Point::of(s))?;
    // Prune whatever fell out of the window (usually one point, or none).
    let cutoff = key(server, s.time - Duration::hours(i64::from(hours.max(1))));
    for item in tree.range(prefix(server)..cutoff) {
        let (k, _) = item?;
        tree.remove(k)?;
    }
    Ok(())
}

/// Points newer than `since`, oldest first.
pub fn load(store: &Store, server: &str, since: DateTime<Utc>) -> EngineResult<Vec<Point>> {
    let tree = store.tree(HEALTH)?;
    let mut end = prefix(server);
    end.push(0xff);
    let mut out = Vec::new();
    for item in tree.range(key(server, since)..end) {
        let (_, v) = item?;
        out.push(codec::decode::<Point>(&v)?);
    }
    Ok(out)
}

pub fn forget(store: &Store, server: &str) -> EngineResult<()> {
    let tree = store.tree(HEALTH)?;
    for item in tree.scan_prefix(prefix(server)) {
        let (k, _) = item?;
        tree.remove(k)?;
    }
    Ok(())
}
