//! The TUI's idea of "now". Ages ("3d"), rotation countdowns and the reveal
//! timer all read it, so tests can freeze and advance time and snapshots stay
//! the same from run to run.

use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    frozen: Option<(DateTime<Utc>, Instant)>,
}

impl Clock {
    /// A clock stopped at `wall`; [`Clock::advance`] moves it.
    pub fn frozen(wall: DateTime<Utc>) -> Clock {
        Clock { frozen: Some((wall, Instant::now())) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.frozen.map(|(w, _)| w).unwrap_or_else(Utc::now)
    }

    pub fn instant(&self) -> Instant {
        self.frozen.map(|(_, i)| i).unwrap_or_else(Instant::now)
    }

    /// Move a frozen clock on (a running clock moves by itself).
    pub fn advance(&mut self, by: Duration) {
        if let Some((w, i)) = &mut self.frozen {
            *w += chrono::Duration::from_std(by).unwrap_or_default();
            *i += by;
        }
    }
}

/// A compact age: `42s`, `5m`, `3h`, `12d`, `2y`.
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    span((now - then).num_seconds().max(0))
}

/// A compact length of time in seconds.
pub fn span(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        86_400..31_536_000 => format!("{}d", s / 86_400),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// A time still to come, rounded up: a rotation set to 90 days a second
/// ago is due `in 90d`, not `in 89d` (rounding down would say a day less
/// than the operator just typed).
pub fn span_until(secs: i64) -> String {
    let s = secs.max(0);
    let up = |unit: i64| (s + unit - 1) / unit;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", up(60)),
        3600..86_400 => format!("{}h", up(3600)),
        86_400..31_536_000 => format!("{}d", up(86_400)),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// A countdown as people read it: whole minutes (rounded up, `15m`), then
/// seconds in the last minute. Minutes keep an idle console from redrawing
/// every second for a number nobody watches that closely.
pub fn countdown(secs: u64) -> String {
    if secs >= 60 { format!("{}m", secs.div_ceil(60)) } else { format!("{secs}s") }
}

/// How long until [`countdown`] of `remaining` shows something different:
/// the loop sleeps exactly that long instead of ticking every second.
pub fn countdown_next_change(remaining: Duration) -> Duration {
    let secs = remaining.as_secs();
    let frac = remaining - Duration::from_secs(secs);
    let settle = Duration::from_millis(5);
    if secs > 60 {
        // The text changes once whole seconds fall to the last minute boundary.
        let boundary = (secs.div_ceil(60) - 1) * 60;
        Duration::from_secs(secs - boundary - 1) + frac + settle
    } else {
        frac + settle
    }
}

/// `age` of an optional time, or an em dash.
pub fn age_opt(now: DateTime<Utc>, then: Option<DateTime<Utc>>) -> String {
    then.map(|t| age(now, t)).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_shows_minutes_then_seconds_and_wakes_on_change() {
        assert_eq!(countdown(899), "15m");
        assert_eq!(countdown(840), "14m");
        assert_eq!(countdown(60), "1m");
        assert_eq!(countdown(59), "59s");
        let d = |s: f64| Duration::from_secs_f64(s);
        // 899.5 s left: "15m" until whole seconds reach 840 → ~58.5 s from now.
        let wait = countdown_next_change(d(899.5));
        assert!(wait > d(58.4) && wait < d(58.6), "{wait:?}");
        assert_eq!(countdown((d(899.5) - wait).as_secs()), "14m");
        let wait = countdown_next_change(d(42.25));
        assert!(wait < d(0.3), "{wait:?}");
    }

    #[test]
    fn ages_are_compact_and_frozen_clocks_advance() {
        assert_eq!(span(59), "59s");
        assert_eq!(span(61), "1m");
        assert_eq!(span(86_400 * 3), "3d");
        assert_eq!(span_until(86_400 * 90 - 1), "90d", "a rotation set to 90 days a second ago");
        assert_eq!(span_until(86_400 * 90), "90d");
        assert_eq!(span_until(86_400 * 89 + 1), "90d");
        let t = Utc::now();
        let mut c = Clock::frozen(t);
        c.advance(Duration::from_secs(3600));
        assert_eq!(age(c.now(), t), "1h");
    }
}
