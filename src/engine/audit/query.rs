//! Audit search: filters, newest first, paged by an opaque cursor.

use super::{AuditEntry, BY_CATEGORY, Category, LOG, Severity, Status, index_key};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::codec;
use crate::engine::store::{Store, keys};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::ops::Bound;

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub category: Option<Category>,
    pub min_severity: Option<Severity>,
    pub status: Option<Status>,
    /// Substring of `user@frontend`.
    pub actor: Option<String>,
    /// Substring of the resource kind, id or name.
    pub resource: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Case-insensitive substring of action, description, error, resource, user.
    pub text: Option<String>,
    pub limit: usize,
    /// Cursor from a previous page: return only entries older than it.
    pub before: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page; `None` on the last page.
    pub next: Option<String>,
    /// How many entries match in all, when that is cheap to know: a category
    /// query with no other entry filters walks only small index keys. `None`
    /// otherwise — counting the whole log would cost a full scan. Capped at
    /// 200,000 (then it means "at least").
    pub total: Option<u64>,
}

impl AuditQuery {
    pub const DEFAULT_LIMIT: usize = 100;
    pub const MAX_LIMIT: usize = 10_000;

    fn needs_entry_filters(&self) -> bool {
        self.min_severity.is_some()
            || self.status.is_some()
            || self.actor.is_some()
            || self.resource.is_some()
            || self.text.is_some()
    }

    fn matches(&self, e: &AuditEntry, text: Option<&str>, actor: Option<&str>, res: Option<&str>) -> bool {
        self.min_severity.is_none_or(|s| e.severity >= s)
            && self.status.is_none_or(|s| e.status == s)
            && actor.is_none_or(|a| e.actor.to_string().to_lowercase().contains(a))
            && res.is_none_or(|r| {
                e.resource.as_ref().is_some_and(|x| {
                    [Some(x.kind.as_str()), x.id.as_deref(), x.name.as_deref()]
                        .into_iter()
                        .flatten()
                        .any(|f| f.to_lowercase().contains(r))
                })
            })
            && text.is_none_or(|t| e.mentions(t))
    }
}

/// Run a query. Cost is proportional to the entries inspected, not the log's size.
pub fn query(store: &Store, q: &AuditQuery) -> EngineResult<AuditPage> {
    let limit = q.limit.clamp(1, AuditQuery::MAX_LIMIT);
    let log = store.tree(LOG)?;
    let lower: Vec<u8> = q.since.map(|t| keys::time_prefix(t).to_vec()).unwrap_or_default();
    let mut upper: Option<Vec<u8>> = q.until.map(|t| keys::time_prefix(t + Duration::microseconds(1)).to_vec());
    if let Some(cursor) = &q.before {
        let c = keys::unhex(cursor)
            .filter(|c| c.len() == 16)
            .ok_or_else(|| EngineError::invalid("before", cursor, "a cursor from a previous page (32 hex digits)"))?;
        upper = Some(match upper {
            Some(u) if u < c => u,
            _ => c,
        });
    }
    let text = q.text.as_ref().map(|t| t.to_lowercase());
    let actor = q.actor.as_ref().map(|t| t.to_lowercase());
    let res = q.resource.as_ref().map(|t| t.to_lowercase());

    // Either walk the category index (keys end with the entry's time key) or
    // the log itself.
    let (iter, strip): (sled::Iter, usize) = match q.category {
        Some(cat) => {
            let lo = index_key(cat, &lower);
            let hi = match &upper {
                Some(u) => Bound::Excluded(index_key(cat, u)),
                None => Bound::Excluded(keys::prefixed(cat.as_str(), &[0xff; 17])),
            };
            (store.tree(BY_CATEGORY)?.range((Bound::Included(lo), hi)), cat.as_str().len() + 1)
        }
        None => {
            let hi = match &upper {
                Some(u) => Bound::Excluded(u.clone()),
                None => Bound::Unbounded,
            };
            (log.range((Bound::Included(lower.clone()), hi)), 0)
        }
    };

    let mut entries = Vec::new();
    let mut next = None;
    let mut total: u64 = 0;
    // Counting past the page reads index keys only; cap it so a huge
    // category still answers fast.
    let count_all = q.category.is_some() && !q.needs_entry_filters();
    const COUNT_CAP: u64 = 200_000;
    for item in iter.rev() {
        let (k, v) = item?;
        let time_key = &k[strip..];
        if entries.len() == limit {
            if next.is_none() {
                next = entries.last().map(|e: &AuditEntry| crate::engine::digest::hex(&keys::time_key(e.time, e.id)));
            }
            if !count_all || total >= COUNT_CAP {
                break;
            }
            total += 1;
            continue;
        }
        let entry: AuditEntry = if strip == 0 {
            codec::decode(&v)?
        } else {
            match log.get(time_key)? {
                Some(v) => codec::decode(&v)?,
                // An index key whose entry was cleaned up: skip it.
                None => continue,
            }
        };
        if q.matches(&entry, text.as_deref(), actor.as_deref(), res.as_deref()) {
            total += 1;
            entries.push(entry);
        }
    }
    Ok(AuditPage { entries, next, total: count_all.then_some(total) })
}
