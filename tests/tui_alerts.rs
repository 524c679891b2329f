//! The console's alerts view through the real loop: three wrong vault
//! passphrases raise a brute-force security event, the `vault_brute_force`
//! rule opens an alert, and the status bar counts it (`⚠ 1 alert`) from
//! the engine's broadcast; `A` opens the alerts view in the Audit pane
//! from any pane, Enter shows the evidence (`alert_show`), `a` acknowledges
//! with a note (the count goes away), `f` cycles the filter and `s`
//! silences the rule for a while — each through its engine command. The
//! Overview counts it too, and Enter on that line opens the alerts view.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_common;

use crossterm::event::KeyCode;
use homedeck::engine::internals::alerts::rules::{AlertKind, AlertsOptions, Rule, Selector};
use homedeck::engine::internals::audit::Severity;
use homedeck::engine::views::alerts::AlertFilter;
use homedeck::engine::{AlertsOutcome, Command, Outcome, SecretValue};
use homedeck::tui::panes::PaneId;
use std::time::{Duration, Instant};
use tui_common::Harness;

async fn harness() -> Harness {
    Harness::with(|o| {
        // The rules run where health is polled (no server is added, so nothing is).
        o.servers.poll_health = true;
        o.alerts = AlertsOptions {
            interval: Duration::from_secs(1),
            retention_days: 90,
            rules: vec![Rule {
                name: "vault-brute".into(),
                kind: AlertKind::VaultBruteForce,
                targets: Selector::all(),
                threshold: None,
                for_secs: 0,
                severity: Severity::High,
                routes: Vec::new(),
                min_severity: Severity::Info,
                enabled: true,
            }],
            ..AlertsOptions::default()
        };
    })
    .await
}

/// Three wrong passphrases, waiting out the back-off between them.
async fn brute_force(h: &Harness) {
    for wait in [0, 1100, 2100] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let wrong = h.engine.execute(Command::VaultUnlock { passphrase: SecretValue::new("wrong wrong wrong") }, tui_common::actor()).await;
        assert!(wrong.unwrap_err().to_string().contains("passphrase"));
    }
}

/// Let the console take in the engine's broadcasts until `f` holds.
async fn until(h: &mut Harness, what: &str, f: impl Fn(&Harness) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.settle().await;
        if f(h) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_is_counted_shown_acknowledged_and_silenced_from_the_console() {
    let mut h = harness().await;
    h.exec(Command::VaultInit { passphrase: SecretValue::new("correct horse battery") }).await;
    assert!(!h.screen80().contains('⚠'), "no alert yet");
    brute_force(&h).await;
    until(&mut h, "the status bar count", |h| h.driver.app.panes.audit.alerts.attention == 1).await;
    let screen = h.screen80();
    assert!(screen.contains("⚠ 1 alert "), "{screen}");

    // The Overview has a line for it; Enter on it opens the alerts view.
    h.key(KeyCode::Char('0')).await;
    let screen = h.screen80();
    assert!(screen.contains("1 alert open, 1 unacknowledged"), "{screen}");
    let at = h.driver.app.panes.overview.rows().iter().position(|r| r.head == "alerts").unwrap();
    for _ in 0..at {
        h.key(KeyCode::Char('j')).await;
    }
    h.enter().await;
    assert_eq!(h.driver.app.pane, PaneId::Audit);
    assert!(h.driver.app.panes.audit.alerts_view && h.screen80().contains("vault-brute"), "{}", h.screen80());
    h.key(KeyCode::Esc).await;
    assert!(!h.driver.app.panes.audit.alerts_view);

    // `A` from another pane opens the alerts view.
    h.key(KeyCode::Char('1')).await;
    h.key(KeyCode::Char('A')).await;
    assert_eq!(h.driver.app.pane, PaneId::Audit);
    let screen = h.screen80();
    assert!(screen.contains("Alerts · active · 1 need attention") && screen.contains("vault-brute"), "{screen}");
    insta::assert_snapshot!("alerts_view", screen);

    // Enter: the evidence that tripped it.
    h.enter().await;
    let detail = h.screen80();
    assert!(detail.contains("Evidence") && detail.contains("status           pending") && detail.contains("vault-brute (vault_brute_force)"), "{detail}");

    // `a`: acknowledge with a note; the count goes away.
    h.key(KeyCode::Char('a')).await;
    assert!(h.screen80().contains("Acknowledge alert"), "{}", h.screen80());
    h.typ("was me, typing badly").await;
    h.enter().await;
    until(&mut h, "the acknowledgement to clear the count", |h| h.driver.app.panes.audit.alerts.attention == 0).await;
    let Outcome::Alerts(AlertsOutcome::AlertList { alerts, .. }) = h.exec(Command::AlertList { filter: Some(AlertFilter::All), limit: None }).await else { panic!() };
    let ack = alerts[0].alert.ack.clone().expect("acknowledged through alert_ack");
    assert_eq!((ack.note.as_str(), ack.by.as_str()), ("was me, typing badly", "tester@tui"));
    let screen = h.screen80();
    assert!(!screen.contains('⚠') && screen.contains("was me, typing badly"), "{screen}");

    // Back to the list; `f` steps through the filters.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('f')).await;
    assert!(h.screen80().contains("No open alerts"), "{}", h.screen80());
    h.key(KeyCode::Char('f')).await;
    let screen = h.screen80();
    assert!(screen.contains("Alerts · acknowledged") && screen.contains("acknowledged"), "{screen}");

    // `s`: silence the rule for two hours.
    h.key(KeyCode::Char('s')).await;
    h.key(KeyCode::Backspace).await;
    h.typ("2h").await;
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Right).await; // "the whole rule"
    h.key(KeyCode::Tab).await;
    h.typ("noisy").await;
    h.enter().await;
    let Outcome::Alerts(AlertsOutcome::AlertRules { silences, .. }) = h.exec(Command::AlertRules {}).await else { panic!() };
    assert_eq!(silences.len(), 1, "{silences:?}");
    let s = &silences[0];
    assert_eq!((s.rule.as_deref(), s.target.as_deref(), s.note.as_str()), (Some("vault-brute"), None, "noisy"));
    assert!((s.until - s.created).num_minutes() == 120, "{s:?}");

    // Esc on the list goes back to the audit log.
    h.key(KeyCode::Esc).await;
    assert!(!h.driver.app.panes.audit.alerts_view);
}

/// A silence that runs out while nothing else happens: the status bar
/// counts the alert again on its own (the rules' runner wakes when the
/// silence ends and broadcasts it), and the end is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_bar_counts_an_alert_again_when_its_silence_runs_out() {
    let mut h = harness().await;
    h.exec(Command::VaultInit { passphrase: SecretValue::new("correct horse battery") }).await;
    brute_force(&h).await;
    until(&mut h, "the status bar count", |h| h.driver.app.panes.audit.alerts.attention == 1).await;

    let silence = Command::AlertSilence { rule: Some("vault-brute".into()), target: None, duration: "3s".into(), note: Some("looking".into()) };
    let Outcome::Alerts(AlertsOutcome::AlertSilenced { covers, .. }) = h.exec(silence).await else { panic!() };
    assert_eq!(covers.len(), 1);
    until(&mut h, "the silence to quiet the count", |h| h.driver.app.panes.audit.alerts.attention == 0).await;
    assert!(!h.screen80().contains('⚠'), "{}", h.screen80());

    // Nothing else happens: the silence running out brings the count back.
    until(&mut h, "the count to come back when the silence ran out", |h| h.driver.app.panes.audit.alerts.attention == 1).await;
    let screen = h.screen80();
    assert!(screen.contains("⚠ 1 alert "), "{screen}");
    let Outcome::Audit(homedeck::engine::AuditOutcome::AuditPage { page }) = h.exec(Command::AuditSearch {
        category: None,
        min_severity: None,
        status: None,
        actor: None,
        resource: None,
        since: None,
        until: None,
        text: None,
        limit: Some(200),
        before: None,
    })
    .await
    else {
        panic!()
    };
    assert!(page.entries.iter().any(|e| e.action == "alert_silence_ended"), "the end of the silence is not audited");
}
