//! `[alerts]` and `[[alerts.rules]]` in config.toml: read as typed, checked
//! with the engine's own parsers (so a bad value is named with what was
//! expected), and turned into the engine's `AlertsOptions`. A first run
//! writes the default rules below, each with a comment saying what it
//! watches; a config without `[[alerts.rules]]` runs the same defaults,
//! and `rules = []` runs none.

use crate::engine::views::alerts::{AlertKind, AlertsOptions, Rule, Selector, check_threshold, parse_duration, parse_severity, validate_rule_name};
use crate::engine::EngineError;
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Look at every rule at least this often (seconds).
    pub interval_secs: u64,
    /// Resolved alerts older than this many days are removed.
    pub retention_days: u32,
    /// Probe the ESPHome, WLED and FPP devices an enabled rule watches this
    /// often (seconds), so one that drops off is noticed on its own.
    pub presence_interval_secs: u64,
    pub rules: Vec<RuleConfig>,
}

/// `targets = "all"` or `targets = ["web1", "tag:prod"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Targets {
    One(String),
    Many(Vec<String>),
}

impl Targets {
    fn text(&self) -> String {
        match self {
            Targets::One(s) => s.clone(),
            Targets::Many(v) => v.join(","),
        }
    }
}

fn all_targets() -> Targets {
    Targets::One("all".into())
}

fn yes() -> bool {
    true
}

/// One `[[alerts.rules]]` table as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub name: String,
    pub kind: String,
    #[serde(default = "all_targets")]
    pub targets: Targets,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default)]
    pub routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// The default rules: (name, kind, threshold, for).
const DEFAULT_RULES: &[(&str, AlertKind, Option<f64>, &str)] = &[
    ("server-down", AlertKind::ServerDown, None, "2m"),
    ("server-degraded", AlertKind::ServerDegraded, None, "10m"),
    ("disk-full", AlertKind::DiskOver, Some(90.0), "5m"),
    ("esphome-offline", AlertKind::EsphomeOffline, None, "10m"),
    ("wled-offline", AlertKind::WledOffline, None, "15m"),
    ("fpp-offline", AlertKind::FppOffline, None, "15m"),
    ("deployment-unhealthy", AlertKind::DeploymentUnhealthy, None, "5m"),
    ("deployment-stopped", AlertKind::DeploymentStopped, None, "2m"),
    ("backup-failed", AlertKind::BackupFailed, None, "0"),
    ("backup-overdue", AlertKind::BackupOverdue, Some(26.0), "0"),
    ("backup-verify-failed", AlertKind::BackupVerifyFailed, None, "0"),
    ("light-schedule-failed", AlertKind::LightScheduleFailed, None, "0"),
    ("light-schedule-missed", AlertKind::LightScheduleMissed, None, "0"),
    ("rotation-due", AlertKind::SecretRotationDue, None, "0"),
    ("rotation-overdue", AlertKind::SecretRotationOverdue, Some(7.0), "0"),
    ("vault-brute-force", AlertKind::VaultBruteForce, None, "0"),
    ("host-key-mismatch", AlertKind::HostKeyMismatch, None, "0"),
    ("revoked-secret-access", AlertKind::RevokedSecretAccess, None, "0"),
];

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            interval_secs: 15,
            retention_days: 90,
            presence_interval_secs: 60,
            rules: DEFAULT_RULES
                .iter()
                .map(|(name, kind, threshold, for_)| RuleConfig {
                    name: name.to_string(),
                    kind: kind.as_str().to_string(),
                    targets: all_targets(),
                    threshold: *threshold,
                    for_: Some(for_.to_string()),
                    severity: None,
                    routes: Vec::new(),
                    min_severity: None,
                    enabled: true,
                })
                .collect(),
        }
    }
}

/// The `[alerts]` part of a first run's config.toml.
pub fn default_text() -> String {
    let mut t = String::from(
        "\n[alerts]\n\
         # Look at every rule at least this often (seconds; also soon after each\n\
         # health round, schedule run or security event). Rules run in the daemon,\n\
         # or in a console when no daemon runs.\n\
         interval_secs = 15\n\
         # Resolved alerts older than this many days are removed.\n\
         retention_days = 90\n\
         # Check this often (seconds, 1 to 3600) that the ESPHome, WLED and FPP\n\
         # devices an enabled *_offline rule watches still answer, so a device\n\
         # that drops off opens its alert with nobody looking at it.\n\
         presence_interval_secs = 60\n\
         \n\
         # Each rule: name, kind, targets (\"all\", names, \"tag:T\", \"site:S\", or a\n\
         # list of them), threshold (kinds that take one), for (how long the\n\
         # condition must hold: 0, 30s, 5m, 2h, 1d), severity (info, low, medium,\n\
         # high, critical; default per kind), routes (names of [notify] routes)\n\
         # and min_severity (changes below it are not sent), enabled.\n\
         # Kinds: server_down, server_degraded, disk_over, load_over, memory_over,\n\
         # esphome_offline, wled_offline, fpp_offline, deployment_unhealthy,\n\
         # deployment_stopped, backup_failed, backup_overdue, backup_verify_failed,\n\
         # light_schedule_missed, light_schedule_failed, secret_rotation_due,\n\
         # secret_rotation_overdue, vault_brute_force, host_key_mismatch,\n\
         # revoked_secret_access. Remove every rule with `rules = []` under [alerts].\n\
         # For example, 1-minute load over 8 on servers tagged prod for 10 minutes:\n\
         #   [[alerts.rules]]\n\
         #   name = \"prod-load\"\n\
         #   kind = \"load_over\"\n\
         #   targets = \"tag:prod\"\n\
         #   threshold = 8.0\n\
         #   for = \"10m\"\n",
    );
    for (name, kind, threshold, for_) in DEFAULT_RULES {
        t.push_str(&format!("\n# {}\n[[alerts.rules]]\nname = \"{name}\"\nkind = \"{kind}\"\ntargets = \"all\"\n", kind.help()));
        if let (Some(v), Some((_, unit, _, _))) = (threshold, kind.threshold()) {
            t.push_str(&format!("threshold = {v:.1}  # {unit}\n"));
        }
        t.push_str(&format!("for = \"{for_}\"\n"));
    }
    t
}

/// "alerts.rules[2] (disk-full).threshold = 150 — expected …".
fn named(i: usize, name: &str, e: EngineError) -> anyhow::Error {
    match e {
        EngineError::Invalid { field, value, expected } => anyhow::anyhow!("alerts.rules[{i}] ({name}).{field} = {value:?} — expected {expected}"),
        other => anyhow::anyhow!("alerts.rules[{i}] ({name}): {other}"),
    }
}

impl AlertsConfig {
    /// Check every rule and build the engine's options.
    pub fn options(&self) -> Result<AlertsOptions> {
        if !(1..=3600).contains(&self.interval_secs) {
            bail!("alerts.interval_secs = {} — expected 1 to 3600 (seconds)", self.interval_secs);
        }
        if !(1..=3600).contains(&self.presence_interval_secs) {
            bail!("alerts.presence_interval_secs = {} — expected 1 to 3600 (seconds)", self.presence_interval_secs);
        }
        if self.retention_days == 0 {
            bail!("alerts.retention_days = 0 — expected at least 1 (days)");
        }
        let mut rules: Vec<Rule> = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.iter().enumerate() {
            let n = |e| named(i, &r.name, e);
            validate_rule_name(&r.name).map_err(n)?;
            if rules.iter().any(|x| x.name == r.name) {
                bail!("alerts.rules[{i}].name = {:?} — expected a name no other rule has", r.name);
            }
            let kind: AlertKind = r.kind.parse().map_err(n)?;
            let targets = Selector::parse(&r.targets.text()).map_err(n)?;
            let threshold = check_threshold(kind, r.threshold).map_err(n)?;
            let for_secs = parse_duration("for", r.for_.as_deref().unwrap_or("0")).map_err(n)?.as_secs();
            let severity = r.severity.as_deref().map(|s| parse_severity("severity", s)).transpose().map_err(n)?.unwrap_or(kind.default_severity());
            let min_severity = r.min_severity.as_deref().map(|s| parse_severity("min_severity", s)).transpose().map_err(n)?.unwrap_or(crate::engine::views::audit::Severity::Info);
            if let Some(bad) = r.routes.iter().find(|x| x.trim().is_empty() || x.contains(char::is_whitespace)) {
                bail!("alerts.rules[{i}] ({}).routes contains {bad:?} — expected route names without spaces", r.name);
            }
            rules.push(Rule { name: r.name.clone(), kind, targets, threshold, for_secs, severity, routes: r.routes.clone(), min_severity, enabled: r.enabled });
        }
        Ok(AlertsOptions {
            interval: Duration::from_secs(self.interval_secs),
            retention_days: self.retention_days,
            rules,
            presence_interval: Duration::from_secs(self.presence_interval_secs),
        })
    }
}

impl AlertsConfig {
    /// Every route a rule names must be a `[[notify.routes]]` entry: a typo
    /// would otherwise be found only when the first alert fails to go out.
    pub fn check_routes(&self, notify: &crate::engine::views::notify::NotifyOptions) -> Result<()> {
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(bad) = r.routes.iter().find(|x| notify.route(x).is_none()) {
                let known = if notify.routes.is_empty() {
                    "a [[notify.routes]] name (none is configured)".to_string()
                } else {
                    format!("one of the [[notify.routes]] names: {}", notify.routes.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", "))
                };
                bail!("alerts.rules[{i}] ({}).routes names {bad:?}, which is not a route — expected {known}", r.name);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Wrap {
        alerts: AlertsConfig,
    }

    fn parse(text: &str) -> Result<AlertsOptions> {
        let w: Wrap = toml::from_str(text)?;
        w.alerts.options()
    }

    #[test]
    fn default_text_is_the_defaults() {
        let w: Wrap = toml::from_str(&default_text()).unwrap();
        assert_eq!(w.alerts, AlertsConfig::default());
        let o = w.alerts.options().unwrap();
        assert_eq!(o.rules.len(), DEFAULT_RULES.len());
        assert!(o.rules.iter().any(|r| r.name == "server-down" && r.for_secs == 120));
    }

    #[test]
    fn bad_values_are_named_with_what_was_expected() {
        let e = format!("{:#}", parse("[alerts]\n[[alerts.rules]]\nname = \"x\"\nkind = \"server_gone\"\n").unwrap_err());
        assert!(e.contains("alerts.rules[0] (x).kind") && e.contains("server_gone") && e.contains("server_down"), "{e}");
        let e = format!("{:#}", parse("[alerts]\n[[alerts.rules]]\nname = \"d\"\nkind = \"disk_over\"\nthreshold = 150.0\n").unwrap_err());
        assert!(e.contains("threshold") && e.contains("150") && e.contains("percent"), "{e}");
        let e = format!("{:#}", parse("[alerts]\n[[alerts.rules]]\nname = \"d\"\nkind = \"server_down\"\nfor = \"5 minutes\"\n").unwrap_err());
        assert!(e.contains("for") && e.contains("5 minutes") && e.contains("30s"), "{e}");
        let e = format!("{:#}", parse("[alerts]\n[[alerts.rules]]\nname = \"d\"\nkind = \"server_down\"\ntargets = \"a,,b\"\n").unwrap_err());
        assert!(e.contains("targets") && e.contains("a,,b"), "{e}");
        let e = format!("{:#}", parse("[alerts]\n[[alerts.rules]]\nname = \"d\"\nkind = \"server_down\"\nseverity = \"urgent\"\n").unwrap_err());
        assert!(e.contains("severity") && e.contains("urgent") && e.contains("critical"), "{e}");
        let dup = "[alerts]\n[[alerts.rules]]\nname = \"d\"\nkind = \"server_down\"\n[[alerts.rules]]\nname = \"d\"\nkind = \"server_degraded\"\n";
        assert!(format!("{:#}", parse(dup).unwrap_err()).contains("no other rule"));
        assert!(parse("[alerts]\nrules = []\n").unwrap().rules.is_empty());
        let e = format!("{:#}", parse("[alerts]\npresence_interval_secs = 0\n").unwrap_err());
        assert!(e.contains("alerts.presence_interval_secs = 0") && e.contains("1 to 3600"), "{e}");
        assert_eq!(parse("[alerts]\npresence_interval_secs = 5\n").unwrap().presence_interval, Duration::from_secs(5));
        assert_eq!(parse("[alerts]\n").unwrap().presence_interval, Duration::from_secs(60));
        let list = parse("[alerts]\n[[alerts.rules]]\nname = \"l\"\nkind = \"load_over\"\ntargets = [\"web1\", \"tag:prod\"]\nthreshold = 8.0\nroutes = [\"ops\"]\n").unwrap();
        assert_eq!(list.rules[0].targets.to_string(), "web1,tag:prod");
        assert_eq!(list.rules[0].routes, vec!["ops".to_string()]);
    }

    #[test]
    fn a_rule_naming_an_unknown_route_is_refused_at_load() {
        let rule = "[[alerts.rules]]\nname = \"nas-down\"\nkind = \"server_down\"\nroutes = [\"ops\", \"pager\"]\n";
        let e = format!("{:#}", crate::config::Config::parse(rule).unwrap_err());
        assert!(e.contains("nas-down") && e.contains("\"ops\""), "{e}");
        assert!(e.contains("none is configured"), "{e}");
        let ops = "[[notify.routes]]\nname = \"ops\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\n";
        let e = format!("{:#}", crate::config::Config::parse(&format!("{ops}{rule}")).unwrap_err());
        assert!(e.contains("alerts.rules[0] (nas-down).routes") && e.contains("\"pager\"") && e.contains("names: ops"), "{e}");
        let fine = rule.replace(", \"pager\"", "");
        assert_eq!(crate::config::Config::parse(&format!("{ops}{fine}")).unwrap().alerts.rules[0].routes, vec!["ops".to_string()]);
    }
}
