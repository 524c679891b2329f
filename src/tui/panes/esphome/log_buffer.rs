//! Scrollback for the logs view: one bounded ring per device, each line
//! parsed once (ANSI → runs) when it arrives, stamped with a global sequence
//! number so several devices can be merged in arrival order without
//! sorting. Memory stays flat once every ring is full.

use crate::engine::views::esphome::ansi::{self, Styled};
use crate::engine::views::esphome::{LogLevel, LogRecord};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, VecDeque};

pub const DEFAULT_SCROLLBACK: usize = 50_000;

pub struct Line {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub level: LogLevel,
    pub styled: Styled,
}

/// One visible line: which device it came from, and the line.
pub type Row<'a> = (&'a str, &'a Line);

pub struct LogBuffer {
    pub cap: usize,
    devices: BTreeMap<String, VecDeque<Line>>,
    next_seq: u64,
    /// Lines pushed out of full rings since the start.
    pub dropped: u64,
}

impl LogBuffer {
    pub fn new(cap: usize) -> LogBuffer {
        LogBuffer { cap: cap.max(1), devices: BTreeMap::new(), next_seq: 0, dropped: 0 }
    }

    pub fn push(&mut self, device: &str, records: &[LogRecord]) {
        let cap = self.cap;
        let ring = match self.devices.get_mut(device) {
            Some(r) => r,
            None => self.devices.entry(device.to_string()).or_insert_with(|| VecDeque::with_capacity(cap.min(4096))),
        };
        for r in records {
            if ring.len() >= cap {
                ring.pop_front();
                self.dropped += 1;
            }
            ring.push_back(Line { seq: self.next_seq, at: r.at, level: r.level, styled: ansi::parse(&r.text) });
            self.next_seq += 1;
        }
    }

    pub fn clear(&mut self) {
        for ring in self.devices.values_mut() {
            ring.clear();
        }
    }

    pub fn devices(&self) -> impl Iterator<Item = &str> {
        self.devices.keys().map(String::as_str)
    }

    pub fn len(&self, device: &str) -> usize {
        self.devices.get(device).map_or(0, VecDeque::len)
    }

    pub fn total(&self) -> usize {
        self.devices.values().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// Lines of `devices` passing `keep`, newest first, merged by arrival.
    /// Lazy: drawing the bottom of a 50,000-line buffer touches only the
    /// lines on screen (plus those the filter skips).
    pub fn newest_first<'a>(
        &'a self,
        devices: &[&'a str],
        keep: impl Fn(&Line) -> bool + 'a,
    ) -> impl Iterator<Item = Row<'a>> + 'a {
        let mut iters: Vec<(&'a str, std::iter::Peekable<std::iter::Rev<std::collections::vec_deque::Iter<'a, Line>>>)> =
            devices
                .iter()
                .filter_map(|d| self.devices.get_key_value(*d).map(|(k, ring)| (k.as_str(), ring.iter().rev().peekable())))
                .collect();
        std::iter::from_fn(move || {
            loop {
                let (best, _) = iters
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, (_, it))| it.peek().map(|l| (i, l.seq)))
                    .max_by_key(|(_, seq)| *seq)?;
                let (dev, it) = &mut iters[best];
                let line = it.next()?;
                if keep(line) {
                    return Some((*dev, line));
                }
            }
        })
    }

    /// Every line of `devices` passing `keep`, oldest first (for saving).
    pub fn oldest_first<'a>(&'a self, devices: &[&'a str], keep: impl Fn(&Line) -> bool + 'a) -> Vec<Row<'a>> {
        let mut rows: Vec<Row<'a>> = self.newest_first(devices, keep).collect();
        rows.reverse();
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(text: &str, level: LogLevel) -> LogRecord {
        LogRecord { at: Utc::now(), level, text: text.into() }
    }

    #[test]
    fn bounded_and_merged_in_arrival_order() {
        let mut b = LogBuffer::new(3);
        b.push("a", &[rec("a1", LogLevel::Info), rec("a2", LogLevel::Debug)]);
        b.push("b", &[rec("b1", LogLevel::Error)]);
        b.push("a", &[rec("a3", LogLevel::Info), rec("a4", LogLevel::Info)]);
        assert_eq!(b.len("a"), 3);
        assert_eq!(b.dropped, 1);
        let rows: Vec<String> = b.newest_first(&["a", "b"], |_| true).map(|(d, l)| format!("{d}:{}", l.styled.text)).collect();
        assert_eq!(rows, vec!["a:a4", "a:a3", "b:b1", "a:a2"]);
        let info: Vec<&str> = b.newest_first(&["a", "b"], |l| l.level <= LogLevel::Info).map(|(_, l)| l.styled.text.as_str()).collect();
        assert_eq!(info, vec!["a4", "a3", "b1"]);
        assert_eq!(b.oldest_first(&["b"], |_| true).len(), 1);
        assert_eq!(b.newest_first(&["missing"], |_| true).count(), 0);
    }
}
