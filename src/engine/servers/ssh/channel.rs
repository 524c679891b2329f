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

/// The first stderr line of every run: the remote shell's pid, which is
/// also its process group (sshd starts each session with setsid). Signal
/// requests are refused for sessions without privilege separation (root
/// logins), so cancelling kills that group over a second channel instead.
const PID_MARK: &str = "@homedeck-pid ";

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
    let wrapped = format!("echo \"{PID_MARK}$$\" >&2; {command}");
    channel.exec(true, wrapped).await.map_err(|e| remote(format!("exec request failed: {e}")))?;
    let mut status = ExecStatus::default();
    let mut pid: Option<u32> = None;
    let mut head: Option<Vec<u8>> = Some(Vec::new());
    let far = Duration::from_secs(365 * 24 * 3600);
    let deadline = tokio::time::sleep(timeout.unwrap_or(far));
    tokio::pin!(deadline);
    // Once stopping, how long the process gets before KILL and giving up.
    let grace = tokio::time::sleep(far);
    tokio::pin!(grace);
    let mut stopping = 0u8;
    loop {
        let stop = tokio::select! {
            m = channel.wait() => {
                match m {
                    None | Some(ChannelMsg::Close) => break,
                    Some(ChannelMsg::Data { data }) => sink(Stream::Stdout, &data),
                    Some(ChannelMsg::ExtendedData { data, .. }) => match head.as_mut() {
                        Some(buf) => {
                            buf.extend_from_slice(&data);
                            if let Some(i) = buf.iter().position(|b| *b == b'\n') {
                                let line = String::from_utf8_lossy(&buf[..i]).to_string();
                                pid = line.strip_prefix(PID_MARK).and_then(|p| p.trim().parse().ok());
                                let rest = if pid.is_some() { buf[i + 1..].to_vec() } else { buf.clone() };
                                head = None;
                                if !rest.is_empty() {
                                    sink(Stream::Stderr, &rest);
                                }
                            } else if buf.len() > 64 {
                                let all = std::mem::take(buf);
                                head = None;
                                sink(Stream::Stderr, &all);
                            }
                        }
                        None => sink(Stream::Stderr, &data),
                    },
                    Some(ChannelMsg::ExitStatus { exit_status }) => status.exit_code = Some(exit_status),
                    Some(ChannelMsg::ExitSignal { signal_name, .. }) => status.signal = Some(format!("{signal_name:?}")),
                    Some(ChannelMsg::Failure) => return Err(remote("the server refused the exec request".into())),
                    Some(_) => {}
                }
                None
            }
            _ = cancel.cancelled(), if !status.cancelled && !status.timed_out => { status.cancelled = true; Some("TERM") }
            _ = &mut deadline, if !status.timed_out && !status.cancelled => { status.timed_out = true; Some("TERM") }
            _ = &mut grace, if stopping > 0 => {
                if stopping >= 2 { break }
                Some("KILL")
            }
        };
        if let Some(sig) = stop {
            stopping += 1;
            let _ = channel.signal(if sig == "KILL" { russh::Sig::KILL } else { russh::Sig::TERM }).await;
            if let Some(pid) = pid {
                kill_group(handle, pid, sig).await;
            }
            grace.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(3));
        }
    }
    Ok(status)
}

/// `kill -SIG -- -PGID` on a second channel of the same connection.
async fn kill_group<H: russh::client::Handler>(handle: &Handle<H>, pid: u32, sig: &str) {
    let Ok(mut ch) = handle.channel_open_session().await else { return };
    let cmd = format!("kill -{sig} -- -{pid} 2>/dev/null || kill -{sig} {pid} 2>/dev/null");
    if ch.exec(true, cmd).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(m) = ch.wait().await {
            if matches!(m, ChannelMsg::Close) {
                break;
            }
        }
    })
    .await;
}
