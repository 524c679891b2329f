//! Which backups to keep, the way restic's `forget` decides: keep the `last`
//! n newest; for each of hourly/daily/weekly/monthly keep the newest backup
//! of each of the n most recent periods that have one. A backup kept by any
//! rule stays. Pure, so the rules are unit-tested without a clock.

use super::model::Keep;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub id: u64,
    pub created: DateTime<Utc>,
    /// Rules that keep it; empty = forget.
    pub reasons: Vec<String>,
}

impl Decision {
    pub fn keep(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// Decide for every `(id, created)`; newest first in the result.
pub fn decide(backups: &[(u64, DateTime<Utc>)], keep: &Keep) -> Vec<Decision> {
    let mut list: Vec<Decision> = backups.iter().map(|(id, c)| Decision { id: *id, created: *c, reasons: Vec::new() }).collect();
    list.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    if keep.is_empty() {
        // No rule at all keeps everything (restic refuses to forget without one).
        for d in &mut list {
            d.reasons.push("no policy".into());
        }
        return list;
    }
    type Bucket = fn(&DateTime<Utc>) -> String;
    let rules: [(&str, Option<u32>, Bucket); 5] = [
        ("last", keep.last, |t| t.timestamp_micros().to_string()),
        ("hourly", keep.hourly, |t| t.format("%Y-%m-%d %H").to_string()),
        ("daily", keep.daily, |t| t.format("%Y-%m-%d").to_string()),
        ("weekly", keep.weekly, |t| {
            let w = t.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }),
        ("monthly", keep.monthly, |t| t.format("%Y-%m").to_string()),
    ];
    for (name, n, bucket) in rules {
        let Some(mut left) = n else { continue };
        let mut last: Option<String> = None;
        for d in &mut list {
            if left == 0 {
                break;
            }
            let b = bucket(&d.created);
            if name == "last" || last.as_ref() != Some(&b) {
                d.reasons.push(name.to_string());
                last = Some(b);
                left -= 1;
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, d, h, 0, 0).unwrap()
    }

    #[test]
    fn restic_like_rules() {
        // Every 6 hours over 10 days: 40 backups.
        let b: Vec<(u64, DateTime<Utc>)> = (0..40).map(|i| (i as u64 + 1, at(1 + i / 4, (i % 4) * 6))).collect();
        let d = decide(&b, &Keep { last: Some(2), ..Default::default() });
        assert_eq!(d.iter().filter(|x| x.keep()).map(|x| x.id).collect::<Vec<_>>(), vec![40, 39]);
        let d = decide(&b, &Keep { daily: Some(3), ..Default::default() });
        // The newest of each of the three newest days.
        assert_eq!(d.iter().filter(|x| x.keep()).map(|x| x.id).collect::<Vec<_>>(), vec![40, 36, 32]);
        let d = decide(&b, &Keep { last: Some(1), daily: Some(2), weekly: Some(2), ..Default::default() });
        let kept: Vec<_> = d.iter().filter(|x| x.keep()).map(|x| (x.id, x.reasons.join(","))).collect();
        // Jan 10 is a Friday of ISO week 2; Jan 5 (Sunday) closes week 1.
        assert_eq!(kept, vec![(40, "last,daily,weekly".into()), (36, "daily".into()), (20, "weekly".into())]);
        let d = decide(&b, &Keep { monthly: Some(5), ..Default::default() });
        assert_eq!(d.iter().filter(|x| x.keep()).count(), 1);
        assert!(decide(&b, &Keep::default()).iter().all(Decision::keep));
        assert!(decide(&[], &Keep { last: Some(3), ..Default::default() }).is_empty());
    }
}
