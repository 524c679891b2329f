//! One command on an SSH exec channel: output streamed as it arrives, exit
//! status or signal collected, and cancellation that really stops the
//! remote process (a TERM signal request, then the channel is closed).

use crate::engine::error::{EngineError, EngineResult};
use russh::ChannelMsg;
use russh::client::Handle;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How a command ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecStatus {
    pub exit_code: Option<u32>,
    pub signal: Option<String>,
    pub cancelled: bool,
    pub timed_out: bool,
}

/// Run `command` (already quoted for the remote shell) and feed output to `sink`.
pub async fn exec<H: russh::client::Handler>(
    server: &str,
    handle: &Handle<H>,
    command: &str,
    mut sink: impl FnMut(Stream, &[u8]),
    cancel: &CancellationToken,
    timeout: Option<Duration>,
) -> EngineResult<ExecStatus> {
    let remote = |detail: String| EngineError::Remote { server: server.into(), detail };
    let mut channel = handle.channel_open_session().await.map_err(|e| remote(format!("cannot open a channel: {e}")))?;
    channel.exec(true, command).await.map_err(|e| remote(format!("exec request failed: {e}")))?;
    let mut status = ExecStatus::default();
    let sleep = tokio::time::sleep(timeout.unwrap_or(Duration::from_secs(365 * 24 * 3600)));
    tokio::pin!(sleep);
    loop {
        let msg = tokio::select! {
            m = channel.wait() => m,
            _ = cancel.cancelled(), if !status.cancelled => {
                status.cancelled = true;
                let _ = channel.signal(russh::Sig::TERM).await;
                let _ = channel.eof().await;
                let _ = channel.close().await;
                continue;
            }
            _ = &mut sleep, if !status.timed_out => {
                status.timed_out = true;
                let _ = channel.signal(russh::Sig::TERM).await;
                let _ = channel.close().await;
                continue;
            }
        };
        match msg {
            None => break,
            Some(ChannelMsg::Data { data }) => sink(Stream::Stdout, &data),
            Some(ChannelMsg::ExtendedData { data, .. }) => sink(Stream::Stderr, &data),
            Some(ChannelMsg::ExitStatus { exit_status }) => status.exit_code = Some(exit_status),
            Some(ChannelMsg::ExitSignal { signal_name, .. }) => status.signal = Some(format!("{signal_name:?}")),
            Some(ChannelMsg::Failure) => return Err(remote("the server refused the exec request".into())),
            Some(ChannelMsg::Close) => break,
            Some(_) => {}
        }
    }
    Ok(status)
}
