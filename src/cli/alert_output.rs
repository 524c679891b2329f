//! The human output of the alerts verbs: a table of alerts, one alert with
//! its evidence, the rules with their silences, and one line for an
//! acknowledgement or a silence. Empty lists say what would fill them.

use super::table;
use crate::engine::AlertsOutcome;
use crate::engine::views::alerts::{Alert, AlertFilter, AlertRow, Rule, Silence, format_duration};

impl super::output::Human for AlertsOutcome {
    fn human(&self) {
        print(self);
    }
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn print(o: &AlertsOutcome) {
    match o {
        AlertsOutcome::AlertList { filter, alerts, attention } => list(*filter, alerts, *attention),
        AlertsOutcome::AlertShown { alert, earlier } => show(alert, earlier),
        AlertsOutcome::AlertRules { rules, silences, evaluating } => print_rules(rules, silences, *evaluating),
        AlertsOutcome::AlertAcked { .. } | AlertsOutcome::AlertSilenced { .. } | AlertsOutcome::AlertUnsilenced { .. } => println!("{}", o.summary()),
    }
}

fn list(filter: AlertFilter, alerts: &[AlertRow], attention: usize) {
    if alerts.is_empty() {
        match filter {
            AlertFilter::Open | AlertFilter::Active => println!("no {} alerts — everything the rules watch is fine (see `homedeck alert rules`)", filter.as_str()),
            _ => println!("no {} alerts", filter.as_str()),
        }
        return;
    }
    let rows: Vec<Vec<String>> = alerts
        .iter()
        .map(|r| {
            let a = &r.alert;
            let status = if r.silenced { format!("{} (silenced)", a.status()) } else { a.status().to_string() };
            vec![a.id.to_string(), a.severity.as_str().to_string(), status, a.rule.clone(), a.target.clone(), table::age(a.opened), a.count.to_string(), a.summary.clone()]
        })
        .collect();
    print!("{}", table::render(&["ID", "SEVERITY", "STATUS", "RULE", "TARGET", "OPENED", "SEEN", "SUMMARY"], &rows));
    println!("{attention} open and unacknowledged");
}

fn show(row: &AlertRow, earlier: &[Alert]) {
    let a = &row.alert;
    println!("alert {}: {}", a.id, a.summary);
    println!("  status     {}{}", a.status(), if row.silenced { " (silenced)" } else { "" });
    println!("  rule       {} ({})", a.rule, a.kind);
    println!("  target     {}", a.target);
    println!("  severity   {}", a.severity.as_str());
    println!("  first seen {}", stamp(a.first_seen));
    println!("  opened     {}", stamp(a.opened));
    println!("  last seen  {} ({} evaluations)", stamp(a.last_seen), a.count);
    if let Some(t) = a.resolved {
        println!("  resolved   {}", stamp(t));
    }
    if let Some(ack) = &a.ack {
        println!("  acknowledged by {} at {}: {}", ack.by, stamp(ack.at), ack.note);
    }
    if let Some(prev) = a.reopens {
        println!("  reopens    alert {prev}");
    }
    println!("evidence:");
    for (k, v) in &a.evidence {
        println!("  {k}: {v}");
    }
    if !earlier.is_empty() {
        println!("earlier alerts of this rule and target:");
        for e in earlier {
            let until = e.resolved.map(stamp).unwrap_or_else(|| "open".into());
            println!("  {}  {} → {}", e.id, stamp(e.opened), until);
        }
    }
}

fn print_rules(rules: &[Rule], silences: &[Silence], evaluating: bool) {
    if rules.is_empty() {
        println!("no alert rules — add [[alerts.rules]] to config.toml (a first run writes commented defaults)");
    } else {
        let rows: Vec<Vec<String>> = rules
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.kind.to_string(),
                    r.targets.to_string(),
                    r.threshold.map(|t| t.to_string()).unwrap_or_else(|| "-".into()),
                    format_duration(r.for_secs),
                    r.severity.as_str().to_string(),
                    if r.routes.is_empty() { "-".into() } else { r.routes.join(",") },
                    if r.enabled { "yes".into() } else { "no".into() },
                ]
            })
            .collect();
        print!("{}", table::render(&["RULE", "KIND", "TARGETS", "THRESHOLD", "FOR", "SEVERITY", "ROUTES", "ENABLED"], &rows));
    }
    if silences.is_empty() {
        println!("no silences running");
    } else {
        println!("silences:");
        for s in silences {
            let note = if s.note.is_empty() { String::new() } else { format!(" — {}", s.note) };
            println!("  {}  {} until {} (by {}){note}", s.id, s.what(), stamp(s.until), s.by);
        }
    }
    if !evaluating {
        println!("(this homedeck does not run the rules; the daemon, or a console without one, does)");
    }
}
