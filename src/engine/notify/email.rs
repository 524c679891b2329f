//! Email over SMTP with lettre: STARTTLS (required, never optional — a
//! server that does not offer it is an error, not a reason to send in
//! clear), implicit TLS, or none for a relay on this machine. The login
//! password comes from the vault for this one attempt. The Message-ID is
//! made from the delivery, so a repeat after a crash can be recognised.

use super::config::{RouteConfig, TlsMode};
use super::model::Delivery;
use crate::engine::secret_value::SecretValue;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The message for `d` (pure: no network, no secrets).
pub fn message(route: &RouteConfig, d: &Delivery) -> Result<Message, String> {
    let from = route.from.as_deref().unwrap_or_default();
    let from_mb: lettre::message::Mailbox = from.parse().map_err(|e| format!("from {from:?}: {e}"))?;
    let mut b = Message::builder()
        .from(from_mb.clone())
        .subject(format!("[homedeck] {}", d.title()))
        .message_id(Some(format!("<homedeck.{}.{}@{}>", d.id, d.created.timestamp_micros(), from_mb.email.domain())))
        .header(ContentType::TEXT_PLAIN);
    for t in &route.to {
        b = b.to(t.parse().map_err(|e| format!("to {t:?}: {e}"))?);
    }
    let mut text = d.text();
    text.push_str(&format!("\n\n— homedeck, route {}, delivery #{}\n", route.name, d.id));
    b.body(text).map_err(|e| format!("cannot build the message: {e}"))
}

fn transport(route: &RouteConfig, password: Option<&SecretValue>, timeout: Duration) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = route.smtp_host.as_deref().unwrap_or_default();
    let tls = || -> Result<TlsParameters, String> {
        let mut p = TlsParameters::builder(host.to_string());
        if let Some(ca) = &route.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("cannot read ca_file {ca}: {e}"))?;
            p = p.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| format!("ca_file {ca} is not a PEM certificate: {e}"))?);
        }
        p.build_rustls().map_err(|e| format!("TLS setup for {host}: {e}"))
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(route.port()).timeout(Some(timeout));
    b = match route.tls {
        TlsMode::Starttls => b.tls(Tls::Required(tls()?)),
        TlsMode::Implicit => b.tls(Tls::Wrapper(tls()?)),
        TlsMode::None => b.tls(Tls::None),
    };
    if let (Some(user), Some(pw)) = (&route.username, password) {
        b = b.credentials(Credentials::new(user.clone(), pw.expose().to_string()));
    }
    Ok(b.build())
}

/// Send `d`; the error says which server and what it answered.
pub async fn send(route: &RouteConfig, d: &Delivery, password: Option<&SecretValue>, timeout: Duration) -> Result<(), String> {
    let msg = message(route, d)?;
    let t = transport(route, password, timeout)?;
    let server = format!("SMTP {}:{}", route.smtp_host.as_deref().unwrap_or_default(), route.port());
    // lettre's own timeout covers each command; this bounds the whole conversation.
    match tokio::time::timeout(timeout * 3, t.send(msg)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{server}: {e}")),
        Err(_) => Err(format!("{server}: no answer within {} s", (timeout * 3).as_secs())),
    }
}
