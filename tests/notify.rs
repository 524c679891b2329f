//! Notifications against real peers on 127.0.0.1: a Python HTTP receiver
//! (standing for a webhook, ntfy, Gotify, Slack and Discord) that can be
//! told to fail, hang and recover, and aiosmtpd (plain, STARTTLS with
//! AUTH, implicit TLS). The engine runs in-process with its delivery
//! worker started, as in the daemon.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod notify_common;

use homedeck::engine::internals::audit::Severity;
use homedeck::engine::{Command, EngineHandle, EngineOptions, NotifyOutcome, Outcome};
use notify_common::{Receiver, Smtp};
use serde_json::Value;
use std::time::{Duration, Instant};

fn engine(dir: &std::path::Path, notify: &str) -> EngineHandle {
    let mut o = EngineOptions::new(dir);
    o.notify = toml::from_str(notify).unwrap();
    o.notify.validate().unwrap();
    let e = common::open_with(o);
    e.start_scheduler();
    e
}

fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

async fn send(e: &EngineHandle, route: Option<&str>, title: &str, severity: Severity) -> Vec<(String, u64)> {
    let c = Command::NotifySend { route: route.map(str::to_string), title: title.into(), body: Some(format!("body of {title}")), severity: Some(severity) };
    match common::run(e, c).await.unwrap() {
        Outcome::Notify(NotifyOutcome::NotifyQueued { queued, .. }) => queued,
        o => panic!("{o:?}"),
    }
}

async fn queue(e: &EngineHandle) -> (Vec<Value>, Vec<Value>) {
    let o = common::run(e, Command::NotifyQueue {}).await.unwrap();
    let v = serde_json::to_value(&o).unwrap();
    (v["queued"].as_array().unwrap().clone(), v["dead"].as_array().unwrap().clone())
}

async fn wait_for<F: Fn(&(Vec<Value>, Vec<Value>)) -> bool>(e: &EngineHandle, within: Duration, f: F) -> (Vec<Value>, Vec<Value>) {
    let deadline = Instant::now() + within;
    loop {
        let q = queue(e).await;
        if f(&q) || Instant::now() > deadline {
            return q;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_back_off_dead_letter_and_a_retry_from_the_list_delivers() {
    let rx = Receiver::start();
    rx.mode("fail");
    let dir = tempfile::tempdir().unwrap();
    let cfg = format!(
        "max_attempts = 3\nbackoff_secs = 1\nbackoff_max_secs = 2\ntimeout_secs = 1\n[[routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n",
        rx.url("/hook")
    );
    let e = engine(dir.path(), &cfg);
    let id = send(&e, Some("hook"), "disk full on nas", Severity::High).await[0].1;

    // Three attempts, the second about 0.5–1 s after the first, the third 1–2 s after that.
    let (_, dead) = wait_for(&e, Duration::from_secs(15), |(_, d)| !d.is_empty()).await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["id"], id);
    assert_eq!(dead[0]["attempts"], 3);
    assert!(dead[0]["last_error"].as_str().unwrap().contains("HTTP 500"), "{}", dead[0]);
    let tries: Vec<f64> = blocking(|| rx.attempts()).iter().map(|a| a["t"].as_f64().unwrap()).collect();
    assert_eq!(tries.len(), 3, "{tries:?}");
    let (g1, g2) = (tries[1] - tries[0], tries[2] - tries[1]);
    assert!((0.45..1.6).contains(&g1), "first back-off {g1}");
    assert!((0.95..2.6).contains(&g2), "second back-off {g2} (after {g1})");
    assert!(blocking(|| rx.received()).is_empty());

    // A hung receiver is a failure after the timeout, reported by the test verb.
    rx.mode("hang");
    let err = common::run(&e, Command::NotifyTest { route: "hook".into() }).await.unwrap_err().to_string();
    assert!(err.contains("no answer within 1 s") && err.contains("stays queued"), "{err}");

    // Recovered: a retry from the dead-letter list is delivered once.
    rx.mode("ok");
    common::run(&e, Command::NotifyRetry { id }).await.unwrap();
    let got = blocking(|| rx.wait_received(2, Duration::from_secs(10)));
    let bodies: Vec<Value> = got.iter().map(|r| serde_json::from_str(r["body"].as_str().unwrap()).unwrap()).collect();
    let ours: Vec<&Value> = bodies.iter().filter(|b| b["id"] == id).collect();
    assert_eq!(ours.len(), 1, "{bodies:?}");
    assert_eq!(ours[0]["schema"], "homedeck.notification/1");
    assert_eq!(ours[0]["title"], "disk full on nas");
    assert_eq!(ours[0]["severity"], "high");
    assert_eq!(ours[0]["notices"][0]["body"], "body of disk full on nas");
    let (q, d) = wait_for(&e, Duration::from_secs(10), |(q, d)| q.is_empty() && d.is_empty()).await;
    assert!(q.is_empty() && d.is_empty(), "{q:?} {d:?}");

    // Retrying what is not dead-lettered names the id.
    let err = common::run(&e, Command::NotifyRetry { id: 999 }).await.unwrap_err().to_string();
    assert!(err.contains("999"), "{err}");

    // The audit log says what happened: a failed delivery, a failed test, a retry.
    let page = serde_json::to_value(common::run(&e, common::search(Some(50))).await.unwrap()).unwrap();
    let entries = page["page"]["entries"].as_array().cloned().unwrap_or_default();
    let find = |action: &str, status: &str| entries.iter().any(|x| x["action"] == action && x["status"] == status);
    assert!(find("notify_deliver", "failure"), "{entries:?}");
    assert!(find("notify_test", "failure"), "{entries:?}");
    assert!(find("notify_retry", "success"), "{entries:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_route_kind_posts_its_own_body_and_no_secret_leaks() {
    const CANARY: &str = "canary-7f3a9c";
    let rx = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = format!(
        r#"
        [[routes]]
        name = "hook"
        kind = "webhook"
        url_secret = "hook/url"
        token_secret = "hook/token"
        [[routes]]
        name = "ntfy"
        kind = "ntfy"
        url = "{base}/ntfy"
        topic = "homelab"
        token_secret = "ntfy/token"
        [[routes]]
        name = "gotify"
        kind = "gotify"
        url = "{base}/gotify"
        token_secret = "gotify/app"
        [[routes]]
        name = "slack"
        kind = "slack"
        url_secret = "slack/url"
        [[routes]]
        name = "discord"
        kind = "discord"
        url_secret = "discord/url"
        min_severity = "medium"
        "#,
        base = rx.url("")
    );
    let e = engine(dir.path(), &cfg);
    common::init(&e).await;
    common::add(&e, "hook/url", &rx.url(&format!("/hook/{CANARY}-h"))).await;
    common::add(&e, "hook/token", &format!("{CANARY}-ht")).await;
    common::add(&e, "ntfy/token", &format!("{CANARY}-nt")).await;
    common::add(&e, "gotify/app", &format!("{CANARY}-gt")).await;
    common::add(&e, "slack/url", &rx.url(&format!("/services/T0/B0/{CANARY}-s"))).await;
    common::add(&e, "discord/url", &rx.url(&format!("/api/webhooks/1/{CANARY}-d"))).await;

    // The route list names secrets, never shows them.
    let routes = serde_json::to_string(&common::run(&e, Command::NotifyRoutes {}).await.unwrap()).unwrap();
    assert!(routes.contains("vault:slack/url") && !routes.contains(CANARY), "{routes}");

    // Info goes everywhere but Discord (min medium).
    let q = send(&e, None, "backup nightly failed", Severity::Low).await;
    assert_eq!(q.len(), 4, "{q:?}");
    let got = blocking(|| rx.wait_received(4, Duration::from_secs(10)));
    assert_eq!(got.len(), 4, "{got:?}");
    let by = |prefix: &str| -> (Value, Value) {
        let r = got.iter().find(|r| r["path"].as_str().unwrap().starts_with(prefix)).unwrap_or_else(|| panic!("{prefix} in {got:?}"));
        (serde_json::from_str(r["body"].as_str().unwrap()).unwrap(), r["headers"].clone())
    };
    let (b, h) = by("/hook/");
    assert_eq!((b["schema"].as_str(), b["title"].as_str(), b["severity"].as_str()), (Some("homedeck.notification/1"), Some("backup nightly failed"), Some("low")));
    assert_eq!(h["authorization"], format!("Bearer {CANARY}-ht"));
    assert!(h["x-homedeck-delivery"].as_str().is_some());
    let (b, h) = by("/ntfy");
    assert_eq!((b["topic"].as_str(), b["title"].as_str(), b["priority"].as_u64()), (Some("homelab"), Some("backup nightly failed"), Some(2)));
    assert_eq!(b["message"], "body of backup nightly failed");
    assert_eq!(h["authorization"], format!("Bearer {CANARY}-nt"));
    let (b, h) = by("/gotify/message");
    assert_eq!((b["title"].as_str(), b["priority"].as_u64()), (Some("backup nightly failed"), Some(3)));
    assert_eq!(h["x-gotify-key"], format!("{CANARY}-gt"));
    let (b, _) = by("/services/T0/B0/");
    assert_eq!(b["text"], "*backup nightly failed*\nbody of backup nightly failed");

    // High reaches Discord too.
    send(&e, Some("discord"), "nas is down", Severity::High).await;
    let got = blocking(|| rx.wait_received(5, Duration::from_secs(10)));
    let d = got.iter().find(|r| r["path"].as_str().unwrap().starts_with("/api/webhooks/1/")).expect("discord");
    let b: Value = serde_json::from_str(d["body"].as_str().unwrap()).unwrap();
    assert_eq!(b["content"], "**nas is down**\nbody of nas is down");

    // No payload carries a secret.
    for r in blocking(|| rx.received()) {
        assert!(!r["body"].as_str().unwrap().contains(CANARY), "secret in a payload: {r}");
    }
    // A failing receiver: errors, queue entries and dead letters stay clean.
    rx.mode("fail");
    let err = common::run(&e, Command::NotifyTest { route: "slack".into() }).await.unwrap_err().to_string();
    assert!(err.contains("HTTP 500") && err.contains("[redacted]") && !err.contains(CANARY), "{err}");
    let err = common::run(&e, Command::NotifyTest { route: "hook".into() }).await.unwrap_err().to_string();
    assert!(!err.contains(CANARY), "{err}");
    let q = serde_json::to_string(&queue(&e).await).unwrap();
    assert!(q.contains("HTTP 500") && !q.contains(CANARY), "{q}");
    let audit = serde_json::to_string(&common::run(&e, common::search(Some(200))).await.unwrap()).unwrap();
    assert!(!audit.contains(CANARY), "secret in the audit log");
    drop(e);
    // Nor is it anywhere on disk in clear (sealed secrets are encrypted).
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "secret in clear in {}", entry.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batching_route_sends_notices_of_its_window_as_one_message() {
    let rx = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = format!("[[routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\nbatch_secs = 1\n", rx.url("/b"));
    let e = engine(dir.path(), &cfg);
    let a = send(&e, None, "pi down", Severity::High).await[0].1;
    let b = send(&e, None, "nas degraded", Severity::Medium).await[0].1;
    let c = send(&e, None, "porch offline", Severity::Low).await[0].1;
    assert!(a == b && b == c, "one delivery collects the window: {a} {b} {c}");
    let got = blocking(|| rx.wait_received(1, Duration::from_secs(10)));
    blocking(|| std::thread::sleep(Duration::from_millis(500)));
    let got = if got.len() == 1 { blocking(|| rx.received()) } else { got };
    assert_eq!(got.len(), 1, "{got:?}");
    let body: Value = serde_json::from_str(got[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["notices"].as_array().unwrap().len(), 3);
    assert_eq!(body["severity"], "high");
    assert_eq!(body["title"], "3 homedeck notifications");
    // The next notice opens a new window.
    let d = send(&e, None, "later", Severity::Info).await[0].1;
    assert_ne!(d, a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_goes_out_plain_over_starttls_with_login_and_over_implicit_tls() {
    const PW: &str = "smtp-canary-5e1d";
    let plain = Smtp::start("none", None);
    let starttls = Smtp::start("starttls", Some(("homedeck", PW)));
    let implicit = Smtp::start("implicit", Some(("homedeck", PW)));
    let dir = tempfile::tempdir().unwrap();
    let cfg = format!(
        r#"
        timeout_secs = 5
        [[routes]]
        name = "relay"
        kind = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {p}
        tls = "none"
        from = "homedeck@lab.example"
        to = ["ops@lab.example"]
        [[routes]]
        name = "submission"
        kind = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {s}
        tls = "starttls"
        ca_file = "{sc}"
        username = "homedeck"
        password_secret = "smtp/pw"
        from = "Homedeck <homedeck@lab.example>"
        to = ["ops@lab.example", "me@lab.example"]
        [[routes]]
        name = "smtps"
        kind = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {i}
        tls = "implicit"
        ca_file = "{ic}"
        username = "homedeck"
        password_secret = "smtp/pw"
        from = "homedeck@lab.example"
        to = ["ops@lab.example"]
        [[routes]]
        name = "wrongpw"
        kind = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {s}
        tls = "starttls"
        ca_file = "{sc}"
        username = "homedeck"
        password_secret = "smtp/wrong"
        from = "homedeck@lab.example"
        to = ["ops@lab.example"]
        [[routes]]
        name = "untrusted"
        kind = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {s}
        tls = "starttls"
        from = "homedeck@lab.example"
        to = ["ops@lab.example"]
        "#,
        p = plain.port,
        s = starttls.port,
        i = implicit.port,
        sc = starttls.cert,
        ic = implicit.cert,
    );
    let e = engine(dir.path(), &cfg);
    common::init(&e).await;
    common::add(&e, "smtp/pw", PW).await;
    common::add(&e, "smtp/wrong", "not-the-password-9").await;

    // A test on each route, answered by the real server.
    for route in ["relay", "submission", "smtps"] {
        common::run(&e, Command::NotifyTest { route: route.into() }).await.unwrap_or_else(|err| panic!("{route}: {err}"));
    }
    let m = &blocking(|| plain.wait_messages(1, Duration::from_secs(5)))[0];
    assert_eq!((m["tls"].as_bool(), m["authenticated"].as_bool()), (Some(false), Some(false)), "{m}");
    assert_eq!(m["subject"], "[homedeck] homedeck test notification");
    assert_eq!(m["mail_from"], "homedeck@lab.example");
    assert!(m["body"].as_str().unwrap().contains("route relay works"), "{m}");
    assert!(m["message_id"].as_str().unwrap().starts_with("<homedeck."), "{m}");
    let m = &blocking(|| starttls.wait_messages(1, Duration::from_secs(5)))[0];
    assert_eq!((m["tls"].as_bool(), m["authenticated"].as_bool(), m["login"].as_str()), (Some(true), Some(true), Some("homedeck")), "{m}");
    assert_eq!(m["rcpt_tos"], serde_json::json!(["ops@lab.example", "me@lab.example"]));
    assert_eq!(m["from"], "Homedeck <homedeck@lab.example>");
    let m = &blocking(|| implicit.wait_messages(1, Duration::from_secs(5)))[0];
    assert_eq!((m["tls"].as_bool(), m["authenticated"].as_bool()), (Some(true), Some(true)), "{m}");

    // A queued notice is sent by the worker, not only by the test verb.
    send(&e, Some("submission"), "secret rotation due", Severity::Medium).await;
    let ms = blocking(|| starttls.wait_messages(2, Duration::from_secs(10)));
    assert_eq!(ms.len(), 2, "the queued email never arrived");
    assert_eq!(ms[1]["subject"], "[homedeck] secret rotation due");
    assert_eq!(ms[1]["body"].as_str().unwrap().lines().next(), Some("body of secret rotation due"));

    // Refusals are clear and never carry the password.
    let err = common::run(&e, Command::NotifyTest { route: "wrongpw".into() }).await.unwrap_err().to_string();
    assert!(err.contains("SMTP 127.0.0.1") && err.contains("535") && !err.contains("not-the-password-9"), "{err}");
    let err = common::run(&e, Command::NotifyTest { route: "untrusted".into() }).await.unwrap_err().to_string();
    assert!(err.to_lowercase().contains("certificate"), "an unknown CA is refused: {err}");
    let all = serde_json::to_string(&queue(&e).await).unwrap();
    assert!(!all.contains(PW) && !all.contains("not-the-password-9"), "{all}");
}
