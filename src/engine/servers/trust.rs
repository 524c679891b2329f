//! `server test` and `server trust`: reach a server now and say what is on
//! the other end; accept a changed host key only when a person asks (and,
//! if they gave one, only the fingerprint they checked).

use crate::engine::ServersOutcome;
use super::connector;
use super::model::Server;
use super::runner::{self, Program};
use super::store as servers;
use super::views::TestReport;
use crate::engine::audit::Severity;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Inner, Outcome};
use std::time::Instant;

const OS_PROBE: &str = "uname -sr; (. /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\") || uname -o";

pub(crate) async fn test(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("server", None, Some(name.to_string()));
    let server = servers::get(&inner.store, name)?;
    let had_pin = server.host_key.is_some();
    // A test measures a fresh connection, not a pooled one.
    inner.servers.pool.forget(name);
    let (connect_ms, banner, host_key) = if server.is_local() {
        (0, "(local processes, no SSH)".to_string(), None)
    } else {
        let conn = connector::connection(inner, &server, &ctx.actor, true).await?;
        (conn.connect_time.as_millis() as u64, conn.banner.clone(), Some(format!("{} {}", conn.host_key.algorithm, conn.host_key.fingerprint)))
    };
    let start = Instant::now();
    let timeout = inner.servers.opts.get().connect_timeout;
    let (_, out, _) = runner::capture(inner, &server, &ctx.actor, &Program::Shell(OS_PROBE.into()), true, timeout).await?;
    let round_trip_ms = start.elapsed().as_millis() as u64;
    let mut lines = out.lines();
    let kernel = lines.next().unwrap_or("").trim().to_string();
    let os = lines.next().unwrap_or("").trim().to_string();
    let pinned_now = !server.is_local() && !had_pin;
    ctx.describe(format!("tested {name}: connected in {connect_ms} ms, {os}"));
    Ok(Outcome::Servers(ServersOutcome::ServerTested {
        report: TestReport {
            server: name.to_string(),
            address: server.address(),
            connect_ms,
            round_trip_ms,
            banner,
            host_key,
            pinned_now,
            os,
            kernel,
        },
    }))
}

pub(crate) async fn trust(inner: &Inner, ctx: &mut Ctx, name: &str, fingerprint: Option<String>) -> EngineResult<Outcome> {
    ctx.resource("server", None, Some(name.to_string()));
    ctx.severity(Severity::High);
    let server: Server = servers::get(&inner.store, name)?;
    if server.is_local() {
        return Err(EngineError::invalid("server", name, "an SSH server (`local` has no host key)"));
    }
    let before = server.host_key.as_ref().map(|k| k.fingerprint.clone());
    // Dial accepting any key, to learn what is presented now.
    let conn = connector::dial_expecting(inner, &server, &ctx.actor, None).await?;
    let presented = conn.host_key.clone();
    if let Some(fp) = fingerprint.as_deref().filter(|f| !f.is_empty()) {
        let want = if fp.starts_with("SHA256:") { fp.to_string() } else { format!("SHA256:{fp}") };
        if want != presented.fingerprint {
            return Err(EngineError::invalid(
                "fingerprint",
                fp,
                &format!("the fingerprint the server presents now ({}); refusing to trust a different key", presented.fingerprint),
            ));
        }
    }
    connector::pin(inner, &server, &presented, &ctx.actor, false)?;
    inner.servers.pool.forget(name);
    ctx.change("host_key", before.clone(), Some(presented.fingerprint.clone()));
    ctx.describe(format!("trusted host key of {name}: {} {}", presented.algorithm, presented.fingerprint));
    let msg = match before {
        Some(b) if b == presented.fingerprint => format!("{name} already presents the pinned key {b}"),
        Some(b) => format!("{name}: host key pin changed from {b} to {}", presented.fingerprint),
        None => format!("{name}: pinned host key {}", presented.fingerprint),
    };
    Ok(Outcome::done(msg))
}
