//! `--remote` from a process attached to this host: that process has no
//! engine, so it cannot log in to the other site itself. It asks this host
//! (which has the inventory and the vault) with a `tunnel` frame instead of a
//! hello; the host opens the SSH tunnel to the remote daemon's socket as the
//! same OS user (the peer uid was checked like any client's), answers, and
//! from then on copies bytes both ways. The host never reads what crosses:
//! the client and the remote daemon speak the protocol end to end.

use super::connection::{Reader, Writer};
use super::protocol::ServerFrame;
use super::server::State;
use crate::engine::Actor;
use tokio::io::AsyncWriteExt;

/// `to`: the server and the remote socket (`None`: its default).
pub(super) async fn serve(state: &State, reader: Reader, mut writer: Writer, actor: Actor, to: (&str, Option<&str>), reattach: bool) {
    let (server, socket) = to;
    let opened = tokio::select! {
        t = state.engine.open_streamlocal(server, socket, &actor, reattach) => t,
        _ = state.closing.cancelled() => return,
    };
    let (answer, tunnel) = match opened {
        Ok(t) => (Ok(t.socket.clone()), Some(t)),
        Err(e) => (Err(e), None),
    };
    if writer.send(&ServerFrame::Tunnel { result: answer }).await.is_err() {
        return;
    }
    let Some(tunnel) = tunnel else { return };
    tracing::info!(actor = %actor, server, socket = %tunnel.socket, "relaying a remote attach");
    // The client waits for the answer before sending more, but never lose
    // what a hasty one sent early.
    let early = reader.buffered().to_vec();
    let Ok(mut local) = reader.into_inner().reunite(writer.into_inner()) else { return };
    let mut remote = tunnel.stream;
    if !early.is_empty() && remote.write_all(&early).await.is_err() {
        return;
    }
    tokio::select! {
        r = tokio::io::copy_bidirectional(&mut local, &mut remote) => {
            if let Err(e) = r {
                tracing::debug!(error = %e, server, "remote attach relay ended");
            }
        }
        _ = state.closing.cancelled() => {}
    }
}
