//! The console's MCP view through the real loop: calls made as an MCP
//! client (`token:bot@mcp`, audited like any MCP call) and a Home Assistant
//! profile whose instance does not answer (nothing listens on its loopback
//! port: three calls fail, its circuit breaker opens); `M` in the Audit
//! pane runs `mcp_status` and shows per-tool calls, errors and latency, the
//! callers, the open sessions and the breaker; `w` changes the window, Esc
//! goes back to the log. 80×24 snapshot, the timings masked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_common;

use crossterm::event::KeyCode;
use homedeck::engine::{Actor, Command, Frontend, SecretValue};
use std::time::{Duration, Instant};
use tui_common::Harness;

/// Latencies (`0.123`, right-aligned in their column) and the breaker's
/// countdown vary from run to run: each becomes `N` at the right of its
/// padding, so the line keeps its shape whatever the digits were.
fn mask(screen: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.contains('.') && token.chars().any(|c| c.is_ascii_digit()) {
            let pad = out.len() - out.trim_end_matches(' ').len();
            out.truncate(out.len() - pad);
            out.push_str(&" ".repeat(pad + token.chars().count() - 1));
            out.push('N');
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in screen.chars() {
        if c.is_ascii_digit() || (c == '.' && !token.is_empty()) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    match out.find("open, ") {
        Some(i) => {
            let start = i + "open, ".len();
            out.replace_range(start..start + 2, "NN");
            out
        }
        None => out,
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mcp_view_shows_tool_stats_and_the_home_assistant_breakers() {
    // The breaker stays open for the whole test, however slow the machine.
    let mut h = Harness::with(|o| o.ha_guard.open_for = Duration::from_secs(90)).await;
    h.exec(Command::VaultInit { passphrase: SecretValue::new("correct horse battery") }).await;
    let url = format!("http://127.0.0.1:{}", closed_port());
    h.exec(Command::HaAdd { name: "attic".into(), url: Some(url), token_secret: None, token: Some(SecretValue::new("t")), deployment: None, site: None }).await;
    let bot = Actor { user: "token:bot".into(), frontend: Frontend::Mcp };
    for _ in 0..3 {
        h.engine.execute(Command::ServerList {}, bot.clone()).await.unwrap();
        let e = h.engine.execute(Command::HaStates { name: "attic".into(), filter: None }, bot.clone()).await.unwrap_err();
        assert!(e.to_string().contains("did not answer"), "{e}");
    }
    let e = h.engine.execute(Command::HaStates { name: "attic".into(), filter: None }, bot.clone()).await.unwrap_err();
    assert!(e.to_string().contains("circuit breaker open"), "{e}");

    h.key(KeyCode::Char('7')).await;
    h.key(KeyCode::Char('M')).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.driver.app.panes.audit.mcp.status.is_none() {
        assert!(Instant::now() < deadline, "mcp_status never answered");
        h.settle().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let screen = h.screen80();
    assert!(h.driver.app.panes.audit.mcp_view, "{screen}");
    assert!(screen.contains("MCP · since 24h · 7 calls") && screen.contains("token:bot@mcp"), "{screen}");
    assert!(screen.contains("server_list") && screen.contains("ha_states"), "{screen}");
    assert!(screen.contains("attic") && screen.contains("open, "), "{screen}");
    insta::assert_snapshot!("mcp_view", mask(&screen));

    // `w`: the next window, asked of the engine again.
    h.key(KeyCode::Char('w')).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !h.screen80().contains("since 1h") {
        assert!(Instant::now() < deadline, "the window never changed: {}", h.screen80());
        h.settle().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.key(KeyCode::Esc).await;
    assert!(!h.driver.app.panes.audit.mcp_view && h.screen80().contains("Audit log"), "{}", h.screen80());
}

#[test]
fn masking_keeps_words_and_hides_timings() {
    assert_eq!(mask("server_list  3  0   0.123  12.500  open,  9 s  v1"), "server_list  3  0       N       N  open, NN s  v1");
}
