//! HTTPS for the MCP listener: a rustls server config from a PEM
//! certificate chain and private key (`[mcp] tls_cert`, `tls_key`), with
//! the ring provider reqwest already uses. Read once at start; a file that
//! is missing or holds no certificate or key is an error naming the file.

use anyhow::{Context, Result, bail};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{ServerConfig, crypto::ring};

pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read mcp.tls_cert {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("mcp.tls_cert {} is not a PEM certificate chain", cert.display()))?;
    if certs.is_empty() {
        bail!("mcp.tls_cert {} holds no certificate — expected a PEM file with `BEGIN CERTIFICATE`", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("mcp.tls_key {} holds no readable PEM private key", key.display()))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("mcp.tls_cert and mcp.tls_key do not make a usable pair")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
