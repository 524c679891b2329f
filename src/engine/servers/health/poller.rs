//! The background health poller: every interval, probe every server with
//! bounded concurrency. It holds only a weak reference, so it ends with the
//! engine. Servers in failure backoff are skipped quickly by the pool.

use super::probe_all;
use crate::engine::Inner;
use crate::engine::actor::{Actor, Frontend};
use crate::engine::servers::store;
use std::sync::Weak;

pub(crate) async fn run(inner: Weak<Inner>) {
    let actor = Actor::current(Frontend::Daemon);
    loop {
        let Some(strong) = inner.upgrade() else { return };
        let interval = strong.servers.opts.get().health_interval;
        match store::all(&strong.store) {
            Ok(servers) => {
                probe_all(&strong, servers, &actor, false).await;
            }
            Err(e) => tracing::warn!(error = %e, "health poll could not list servers"),
        }
        drop(strong);
        tokio::time::sleep(interval).await;
    }
}
