//! What an alert rule is: a kind (what to watch), a target selector (which
//! resources), a threshold where the kind has one, how long the condition
//! must hold, a severity, and the notification routes and minimum severity
//! that `[notify]` reads. Rules come from `[[alerts.rules]]` in config.toml;
//! the front end parses them with the functions here, so a bad value is
//! refused with the engine's own words wherever it is typed.

use crate::engine::audit::Severity;
use crate::engine::error::{EngineError, EngineResult};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// What kind of resource a rule watches (and its selector matches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Server,
    Esphome,
    Wled,
    Fpp,
    Deployment,
    BackupSchedule,
    LightSchedule,
    Secret,
    SecurityEvent,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Server => "server",
            Subject::Esphome => "esphome",
            Subject::Wled => "wled",
            Subject::Fpp => "fpp",
            Subject::Deployment => "deployment",
            Subject::BackupSchedule => "backup_schedule",
            Subject::LightSchedule => "light_schedule",
            Subject::Secret => "secret",
            Subject::SecurityEvent => "security_event",
        }
    }
}

macro_rules! kinds {
    ($( $variant:ident = $name:literal, $subject:ident, $severity:ident, $threshold:expr, $help:literal; )*) => {
        /// What a rule watches. `threshold`: the default and the unit of
        /// the kind's threshold, if it has one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AlertKind { $( $variant, )* }

        impl AlertKind {
            pub const ALL: &'static [AlertKind] = &[ $( AlertKind::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( AlertKind::$variant => $name, )* }
            }

            pub fn subject(self) -> Subject {
                match self { $( AlertKind::$variant => Subject::$subject, )* }
            }

            /// The severity a rule of this kind has unless it names one.
            pub fn default_severity(self) -> Severity {
                match self { $( AlertKind::$variant => Severity::$severity, )* }
            }

            /// (default, unit, lowest, highest) of the threshold, for kinds that take one.
            pub fn threshold(self) -> Option<(f64, &'static str, f64, f64)> {
                match self { $( AlertKind::$variant => $threshold, )* }
            }

            /// One line for `alert rules` and the user guide.
            pub fn help(self) -> &'static str {
                match self { $( AlertKind::$variant => $help, )* }
            }
        }
    };
}

kinds! {
    ServerDown = "server_down", Server, High, None, "a server does not answer its health probe";
    ServerDegraded = "server_degraded", Server, Medium, None, "a server is degraded (a disk, load or memory over [servers] limits)";
    DiskOver = "disk_over", Server, Medium, Some((90.0, "percent", 1.0, 100.0)), "a server's fullest disk is over threshold percent";
    LoadOver = "load_over", Server, Medium, Some((4.0, "1-minute load", 0.01, 10_000.0)), "a server's 1-minute load is over threshold";
    MemoryOver = "memory_over", Server, Medium, Some((95.0, "percent", 1.0, 100.0)), "a server's memory use is over threshold percent";
    EsphomeOffline = "esphome_offline", Esphome, Medium, None, "an ESPHome device is offline";
    WledOffline = "wled_offline", Wled, Low, None, "a WLED device is offline";
    FppOffline = "fpp_offline", Fpp, Low, None, "an FPP host is offline";
    DeploymentUnhealthy = "deployment_unhealthy", Deployment, High, None, "a Home Assistant deployment is unhealthy or failed";
    DeploymentStopped = "deployment_stopped", Deployment, High, None, "a deployment stopped without anyone stopping it";
    BackupFailed = "backup_failed", BackupSchedule, High, None, "a scheduled backup's last run failed or was interrupted";
    BackupOverdue = "backup_overdue", BackupSchedule, High, Some((26.0, "hours", 1.0, 8_760.0)), "no successful backup of a schedule's source within threshold hours of a scheduled run";
    BackupVerifyFailed = "backup_verify_failed", BackupSchedule, High, None, "the newest backup of a schedule's source failed verification";
    LightScheduleMissed = "light_schedule_missed", LightSchedule, Low, None, "a light schedule's run was missed (homedeck was not running)";
    LightScheduleFailed = "light_schedule_failed", LightSchedule, Low, None, "a light schedule's last run failed";
    SecretRotationDue = "secret_rotation_due", Secret, Low, None, "a secret is due for rotation";
    SecretRotationOverdue = "secret_rotation_overdue", Secret, Medium, Some((7.0, "days", 1.0, 3_650.0)), "a secret has been due for rotation for more than threshold days";
    VaultBruteForce = "vault_brute_force", SecurityEvent, Critical, None, "an open unlock_brute_force security event";
    HostKeyMismatch = "host_key_mismatch", SecurityEvent, Critical, None, "an open host_key_mismatch security event";
    RevokedSecretAccess = "revoked_secret_access", SecurityEvent, High, None, "an open revoked_secret_access security event";
}

impl AlertKind {
    /// The security event kind behind a security alert kind.
    pub fn security_kind(self) -> Option<&'static str> {
        match self {
            AlertKind::VaultBruteForce => Some("unlock_brute_force"),
            AlertKind::HostKeyMismatch => Some("host_key_mismatch"),
            AlertKind::RevokedSecretAccess => Some("revoked_secret_access"),
            _ => None,
        }
    }

    fn names() -> String {
        AlertKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertKind {
    type Err = EngineError;
    fn from_str(s: &str) -> EngineResult<AlertKind> {
        AlertKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| EngineError::invalid("kind", s, &format!("one of {}", AlertKind::names())))
    }
}

/// One part of a target selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    All,
    Name(String),
    Tag(String),
    Site(String),
}

/// Which resources a rule watches: `all`, names, `tag:T`, `site:S`,
/// comma-separated; a resource matches when any part does. Unlike a
/// command's targets, a name need not exist yet: a rule may be written
/// before the server it watches is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub parts: Vec<Part>,
}

impl Selector {
    pub fn all() -> Selector {
        Selector { parts: vec![Part::All] }
    }

    pub fn parse(spec: &str) -> EngineResult<Selector> {
        let expected = "all, names, tag:T or site:S (comma-separated)";
        let mut parts = Vec::new();
        for p in spec.split(',').map(str::trim) {
            let part = if p == "all" {
                Part::All
            } else if let Some(t) = p.strip_prefix("tag:") {
                Part::Tag(t.to_string())
            } else if let Some(s) = p.strip_prefix("site:") {
                Part::Site(s.to_string())
            } else {
                Part::Name(p.to_string())
            };
            let word = match &part {
                Part::All => "all",
                Part::Name(w) | Part::Tag(w) | Part::Site(w) => w.as_str(),
            };
            if word.is_empty() || word.contains(char::is_whitespace) {
                return Err(EngineError::invalid("targets", spec, expected));
            }
            parts.push(part);
        }
        Ok(Selector { parts })
    }

    /// Does the resource `name` (with `tags`, at effective `site`) match?
    pub fn matches(&self, name: &str, tags: &[String], site: Option<&str>) -> bool {
        self.parts.iter().any(|p| match p {
            Part::All => true,
            Part::Name(n) => n == name,
            Part::Tag(t) => tags.iter().any(|x| x == t),
            Part::Site(s) => crate::engine::sites::same(site, s),
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self
            .parts
            .iter()
            .map(|p| match p {
                Part::All => "all".to_string(),
                Part::Name(n) => n.clone(),
                Part::Tag(t) => format!("tag:{t}"),
                Part::Site(s) => format!("site:{s}"),
            })
            .collect();
        f.write_str(&words.join(","))
    }
}

impl Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Selector, D::Error> {
        let s = String::deserialize(d)?;
        Selector::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One rule, checked and ready to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub kind: AlertKind,
    pub targets: Selector,
    /// In the kind's unit (see [`AlertKind::threshold`]); `None` for kinds without one.
    pub threshold: Option<f64>,
    /// How long the condition must hold before the alert opens.
    pub for_secs: u64,
    pub severity: Severity,
    /// Notification routes (`[notify]`) this rule's alerts go to.
    pub routes: Vec<String>,
    /// Changes below this severity are not sent (they are still recorded).
    pub min_severity: Severity,
    pub enabled: bool,
}

/// `[alerts]` as the engine runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertsOptions {
    /// Look at every rule this often (also soon after a health round or a
    /// schedule run).
    pub interval: Duration,
    /// Resolved alerts older than this many days are removed.
    pub retention_days: u32,
    pub rules: Vec<Rule>,
    /// Probe the devices that rules watch this often (`presence.rs`), so a
    /// device dropping off is noticed with nobody looking at it.
    pub presence_interval: Duration,
}

impl Default for AlertsOptions {
    fn default() -> Self {
        AlertsOptions { interval: Duration::from_secs(15), retention_days: 90, rules: Vec::new(), presence_interval: Duration::from_secs(60) }
    }
}

/// A duration as people type it: `90s`, `5m`, `2h`, `1d`, `0` (or a bare
/// number of seconds).
pub fn parse_duration(field: &str, s: &str) -> EngineResult<Duration> {
    let expected = "a duration such as 0, 30s, 5m, 2h or 1d";
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let n: u64 = num.parse().map_err(|_| EngineError::invalid(field, s, expected))?;
    let mult = match unit {
        "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        _ => return Err(EngineError::invalid(field, s, expected)),
    };
    n.checked_mul(mult).filter(|v| *v <= 366 * 86_400).map(Duration::from_secs).ok_or_else(|| EngineError::invalid(field, s, "a duration of at most 366d"))
}

/// `90s`, `5m`, `2h`, `1d`: the shortest exact way to write `secs`.
pub fn format_duration(secs: u64) -> String {
    match secs {
        0 => "0".into(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

pub fn parse_severity(field: &str, s: &str) -> EngineResult<Severity> {
    Severity::ALL
        .into_iter()
        .find(|v| v.as_str() == s.trim())
        .ok_or_else(|| EngineError::invalid(field, s, "info, low, medium, high or critical"))
}

/// A rule's name: what `alert silence --rule` and the alert list show.
pub fn validate_rule_name(name: &str) -> EngineResult<()> {
    let ok = (1..=48).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok { Ok(()) } else { Err(EngineError::invalid("name", name, "1–48 letters, digits, - _ or .")) }
}

/// Check a threshold against its kind: required range, or none allowed.
pub fn check_threshold(kind: AlertKind, threshold: Option<f64>) -> EngineResult<Option<f64>> {
    match (kind.threshold(), threshold) {
        (None, None) => Ok(None),
        (None, Some(v)) => Err(EngineError::invalid("threshold", v.to_string(), &format!("no threshold: {kind} takes none"))),
        (Some((default, _, _, _)), None) => Ok(Some(default)),
        (Some((_, _, lo, hi)), Some(v)) if v.is_finite() && (lo..=hi).contains(&v) => Ok(Some(v)),
        (Some((_, unit, lo, hi)), Some(v)) => Err(EngineError::invalid("threshold", v.to_string(), &format!("{lo} to {hi} ({unit}) for {kind}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_typed() {
        assert_eq!(parse_duration("for", "90s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("for", "5m").unwrap().as_secs(), 300);
        assert_eq!(parse_duration("for", "2h").unwrap().as_secs(), 7200);
        assert_eq!(parse_duration("for", "1d").unwrap().as_secs(), 86_400);
        assert_eq!(parse_duration("for", "0").unwrap().as_secs(), 0);
        let e = parse_duration("for", "5 minutes").unwrap_err().to_string();
        assert!(e.contains("5 minutes") && e.contains("30s"), "{e}");
        assert!(parse_duration("for", "-1m").is_err());
        assert_eq!(format_duration(300), "5m");
        assert_eq!(format_duration(90), "90s");
    }

    #[test]
    fn selectors_match_names_tags_and_sites() {
        let s = Selector::parse("web1, tag:prod,site:Cabin").unwrap();
        assert!(s.matches("web1", &[], None));
        assert!(s.matches("x", &["prod".into()], None));
        assert!(s.matches("y", &[], Some("cabin")));
        assert!(!s.matches("y", &[], Some("house")));
        assert_eq!(s.to_string(), "web1,tag:prod,site:Cabin");
        assert!(Selector::parse("all").unwrap().matches("anything", &[], None));
        let e = Selector::parse("web1,,web2").unwrap_err().to_string();
        assert!(e.contains("web1,,web2") && e.contains("tag:T"), "{e}");
    }

    #[test]
    fn kinds_and_thresholds() {
        for k in AlertKind::ALL {
            assert_eq!(k.as_str().parse::<AlertKind>().unwrap(), *k);
        }
        let e = "server_gone".parse::<AlertKind>().unwrap_err().to_string();
        assert!(e.contains("server_gone") && e.contains("server_down"), "{e}");
        assert_eq!(check_threshold(AlertKind::DiskOver, None).unwrap(), Some(90.0));
        let e = check_threshold(AlertKind::DiskOver, Some(150.0)).unwrap_err().to_string();
        assert!(e.contains("150") && e.contains("percent"), "{e}");
        assert!(check_threshold(AlertKind::ServerDown, Some(1.0)).is_err());
        assert!(parse_severity("severity", "urgent").unwrap_err().to_string().contains("critical"));
    }
}
