//! The `notify_*` verbs, and [`enqueue`] / [`stage`], the doors other
//! domains (the alert rules) use to send a notice.

use super::config::{RouteConfig, RouteKind};
use super::model::Notice;
use super::outcome::{NotifyOutcome, RouteView};
use super::queue::{self, AfterFailure};
use super::worker::{self, Attempted};
use crate::engine::audit::Severity;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Inner, Outcome};
use std::time::Instant;

/// Queue `notice` on the route named `route`. `Ok(None)`: the route's
/// minimum severity is above the notice's, so it is not sent there. The
/// delivery is on disk when this returns; a running worker is woken.
pub(crate) fn enqueue(inner: &Inner, route: &str, notice: Notice) -> EngineResult<Option<u64>> {
    let opts = inner.notify.opts.get();
    let r = opts.route(route).ok_or_else(|| unknown(route, &opts.routes))?;
    if notice.severity < r.min_severity {
        return Ok(None);
    }
    let id = queue::push(&inner.store, &mut inner.notify.lock_index(), r, notice)?;
    inner.notify.wake.notify_one();
    Ok(Some(id))
}

/// [`enqueue`] for a caller that writes the delivery in its own sled
/// transaction (see [`queue::Outbox`]): `notice` is staged in `out` for
/// `route`, nothing is written. `Ok(None)`: below the route's minimum.
pub(crate) fn stage(inner: &Inner, ix: &queue::Index, out: &mut queue::Outbox, route: &str, notice: Notice) -> EngineResult<Option<u64>> {
    let opts = inner.notify.opts.get();
    let r = opts.route(route).ok_or_else(|| unknown(route, &opts.routes))?;
    if notice.severity < r.min_severity {
        return Ok(None);
    }
    out.add(&inner.store, ix, r, notice, chrono::Utc::now()).map(Some)
}

fn unknown(name: &str, routes: &[RouteConfig]) -> EngineError {
    let known = if routes.is_empty() {
        "a route from [[notify.routes]] in config.toml (none is configured yet)".to_string()
    } else {
        format!("one of the routes in config.toml: {}", routes.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "))
    };
    EngineError::invalid("route", name, &known)
}

/// Where a route goes, with its secret parts shown as vault names.
fn target(r: &RouteConfig) -> String {
    let vault = |s: &Option<String>| format!("vault:{}", s.as_deref().unwrap_or("?"));
    let url = || r.url.clone().unwrap_or_else(|| vault(&r.url_secret));
    match r.kind {
        RouteKind::Webhook | RouteKind::Gotify => url(),
        RouteKind::Ntfy => format!("{} topic {}", url(), r.topic.as_deref().unwrap_or("")),
        RouteKind::Slack | RouteKind::Discord => vault(&r.url_secret),
        RouteKind::Ha => format!("profile {} → notify.{}", r.profile.as_deref().unwrap_or(""), r.service.as_deref().unwrap_or("")),
        RouteKind::Email => format!(
            "smtp://{}:{} ({}) → {}",
            r.smtp_host.as_deref().unwrap_or(""),
            r.port(),
            format!("{:?}", r.tls).to_lowercase(),
            r.to.join(", ")
        ),
    }
}

pub(crate) fn routes(inner: &Inner) -> EngineResult<Outcome> {
    let (queued, dead) = queue::list(&inner.store)?;
    let routes = inner
        .notify
        .opts
        .get()
        .routes
        .iter()
        .map(|r| RouteView {
            name: r.name.clone(),
            kind: r.kind,
            target: target(r),
            min_severity: r.min_severity,
            batch_secs: r.batch_secs,
            secrets: r.secrets().into_iter().map(str::to_string).collect(),
            queued: queued.iter().filter(|d| d.route == r.name).count(),
            dead: dead.iter().filter(|d| d.route == r.name).count(),
        })
        .collect();
    Ok(Outcome::Notify(NotifyOutcome::NotifyRoutes { routes, worker: worker::running(inner) }))
}

/// Send a test notice on `route` now and wait for the peer's answer. It is
/// queued first like any other (a failed test is retried by the worker).
pub(crate) async fn test(inner: &Inner, ctx: &mut Ctx, route: &str) -> EngineResult<Outcome> {
    ctx.resource("notify_route", None, Some(route.to_string()));
    let opts = inner.notify.opts.get();
    let mut r = opts.route(route).ok_or_else(|| unknown(route, &opts.routes))?.clone();
    r.batch_secs = 0;
    let host = whoami::fallible::hostname().unwrap_or_else(|_| "this machine".into());
    let notice = Notice::new(
        "homedeck test notification",
        format!("A test from homedeck on {host}, sent by {}. If you can read this, route {route} works.", ctx.actor.user),
        Severity::Info,
        "test",
    );
    let id = {
        let mut ix = inner.notify.lock_index();
        let id = queue::push(&inner.store, &mut ix, &r, notice)?;
        ix.claim(id);
        id
    };
    ctx.release_gate();
    let started = Instant::now();
    match worker::attempt_claimed(inner, id).await? {
        Attempted::Delivered => {
            ctx.describe(format!("test notification #{id} delivered to route {route}"));
            Ok(Outcome::Notify(NotifyOutcome::NotifyTested { route: route.into(), id, millis: started.elapsed().as_millis() as u64 }))
        }
        Attempted::Failed { error, after, .. } => {
            inner.notify.wake.notify_one();
            let then = match after {
                AfterFailure::RetryAt(at) => format!("it stays queued as #{id} and is tried again at {}", at.format("%H:%M:%S UTC")),
                AfterFailure::Dead => format!("it is on the dead-letter list as #{id}"),
            };
            Err(EngineError::Other(format!("test notification to route {route} failed: {error}; {then}")))
        }
    }
}

pub(crate) fn send(inner: &Inner, ctx: &mut Ctx, route: Option<String>, title: String, body: Option<String>, severity: Option<Severity>) -> EngineResult<Outcome> {
    let opts = inner.notify.opts.get();
    if title.trim().is_empty() || title.len() > 500 {
        return Err(EngineError::invalid("title", title, "1–500 characters"));
    }
    let names: Vec<String> = match route {
        Some(r) => {
            opts.route(&r).ok_or_else(|| unknown(&r, &opts.routes))?;
            vec![r]
        }
        None if opts.routes.is_empty() => return Err(unknown("(all)", &opts.routes)),
        None => opts.routes.iter().map(|r| r.name.clone()).collect(),
    };
    ctx.resource("notify_route", None, Some(names.join(",")));
    let severity = severity.unwrap_or(Severity::Info);
    let notice = Notice::new(title.trim(), body.unwrap_or_default(), severity, "manual");
    let (mut queued, mut skipped) = (Vec::new(), Vec::new());
    for name in names {
        match enqueue(inner, &name, notice.clone())? {
            Some(id) => queued.push((name, id)),
            None => skipped.push(name),
        }
    }
    let o = NotifyOutcome::NotifyQueued { queued, skipped, worker: worker::running(inner) };
    ctx.describe(o.summary());
    Ok(Outcome::Notify(o))
}

pub(crate) fn queue(inner: &Inner) -> EngineResult<Outcome> {
    let (queued, dead) = queue::list(&inner.store)?;
    Ok(Outcome::Notify(NotifyOutcome::NotifyQueue { queued, dead, worker: worker::running(inner) }))
}

pub(crate) fn retry(inner: &Inner, ctx: &mut Ctx, id: u64) -> EngineResult<Outcome> {
    ctx.resource("notify_delivery", Some(id.to_string()), None);
    let d = queue::retry(&inner.store, &mut inner.notify.lock_index(), id)?;
    ctx.resource("notify_delivery", Some(id.to_string()), Some(d.route.clone()));
    ctx.describe(format!("dead-lettered delivery #{id} to route {} queued again", d.route));
    inner.notify.wake.notify_one();
    Ok(Outcome::Notify(NotifyOutcome::NotifyRetried { id, route: d.route }))
}
