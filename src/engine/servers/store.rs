//! Servers in sled: one tree keyed by name. The built-in `local` server is
//! never stored; it is added to every listing.

use super::model::{LOCAL, Server};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::{Store, codec};

/// The trees this domain owns.
pub const TREES: [&str; 2] = [SERVERS, HEALTH];
pub const SERVERS: &str = "servers";
/// name ‖ 0 ‖ minute time key → health sample (see `health/history.rs`).
pub const HEALTH: &str = "server_health";

pub fn all(store: &Store) -> EngineResult<Vec<Server>> {
    let mut out = vec![Server::local()];
    for item in store.tree(SERVERS)?.iter() {
        let (_, v) = item?;
        out.push(codec::decode::<Server>(&v)?);
    }
    Ok(out)
}

pub fn get(store: &Store, name: &str) -> EngineResult<Server> {
    if name == LOCAL {
        return Ok(Server::local());
    }
    store.get::<Server>(&store.tree(SERVERS)?, name.as_bytes())?.ok_or_else(|| EngineError::not_found("server", name))
}

pub fn exists(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(name == LOCAL || store.tree(SERVERS)?.contains_key(name.as_bytes())?)
}

pub fn put(store: &Store, server: &Server) -> EngineResult<()> {
    if server.is_local() {
        return Err(EngineError::invalid("server", LOCAL, "a server other than the built-in `local`"));
    }
    store.put(&store.tree(SERVERS)?, server.name.as_bytes(), server)
}

pub fn remove(store: &Store, name: &str) -> EngineResult<()> {
    store.tree(SERVERS)?.remove(name.as_bytes())?;
    Ok(())
}
