//! Pane 8 (AI) through the real loop (`Driver`) on a real engine with the
//! offline interpreter (no provider), against the in-test WLED peer: 80×24
//! snapshots of the empty pane, a proposal card, and a streamed reply with a
//! code block and a table; key sequences that confirm, reject, undo, edit in
//! the palette and manage conversations, checked on the device itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod lights_peer;
mod tui_common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use homedeck::engine::views::ai::AiEvent;
use homedeck::engine::views::ai::ActionStatus;
use homedeck::engine::{Command, Event};
use lights_peer::{WledPeer, fixtures};
use tui_common::Harness;

async fn with_porch() -> (Harness, WledPeer) {
    let h = Harness::new().await;
    let peer = WledPeer::start(&fixtures().join("wled").join("rgb.json")).await;
    h.exec(Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await;
    (h, peer)
}

/// Ports differ per run.
fn stable(s: &str, peer: &WledPeer) -> String {
    let addr = peer.address();
    let (host, port) = addr.split_once(':').unwrap();
    s.replace(addr.as_str(), &format!("{host}:{}", "N".repeat(port.len())))
}

async fn ask(h: &mut Harness, text: &str) {
    h.key(KeyCode::Char('8')).await;
    h.typ(text).await;
    h.enter().await;
}

fn bri(peer: &WledPeer) -> u64 {
    peer.state()["bri"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_empty_pane_says_what_to_type_and_who_answers() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char('8')).await;
    let s = h.screen80();
    assert!(s.contains("offline interpreter answers"), "{s}");
    insta::assert_snapshot!("ai_empty", s);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_becomes_a_card_and_y_runs_it_on_the_device_and_u_undoes_it() {
    let (mut h, peer) = with_porch().await;
    let before = bri(&peer);
    ask(&mut h, "turn the porch WLED to 30 %").await;
    let s = h.screen80();
    assert!(s.contains("wled_set") && s.contains("proposed"), "{s}");
    assert_eq!(bri(&peer), before, "nothing runs before the confirm");
    insta::assert_snapshot!("ai_proposal", stable(&s, &peer));

    // The card has the focus: `y` confirms it.
    h.key(KeyCode::Char('y')).await;
    assert_eq!(bri(&peer), 77);
    let s = h.screen80();
    assert!(s.contains("· done"), "{s}");

    // `u` proposes the inverse with its own card, `y` runs it.
    h.key(KeyCode::Char('u')).await;
    let s = h.screen80();
    assert!(s.contains("undo of action"), "{s}");
    h.key(KeyCode::Char('y')).await;
    assert_eq!(bri(&peer), before);
    // The first card (scrolled up by now) says it was rolled back.
    let statuses: Vec<ActionStatus> = h.driver.app.panes.ai.transcript.proposals().map(|(_, p)| p.status).collect();
    assert_eq!(statuses, [ActionStatus::RolledBack, ActionStatus::Done]);
}

/// A confirmed action that is still running shows on its card how long it
/// has run and its latest progress line, as the engine broadcasts them
/// (tests/ai_offline.rs proves the engine sends them for a real run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_card_shows_its_elapsed_time_and_latest_progress_line() {
    let (mut h, peer) = with_porch().await;
    ask(&mut h, "turn the porch WLED to 30 %").await;
    let conversation = h.driver.app.panes.ai.conversation.unwrap();
    let action = h.driver.app.panes.ai.transcript.selected_proposal().unwrap().id;
    let at = h.driver.app.clock.now() - chrono::Duration::seconds(75);
    h.driver.engine_event(Event::Ai(AiEvent::ActionStarted { conversation, action, at }));
    h.driver.engine_event(Event::Ai(AiEvent::ActionProgress { conversation, action, line: "porch: segment 2 of 3".into() }));
    h.settle().await;
    let s = h.screen80();
    assert!(s.contains("· running") && s.contains("running 1 min 15 s · porch: segment 2 of 3"), "{s}");
    insta::assert_snapshot!("ai_running", stable(&s, &peer));
    h.driver.engine_event(Event::Ai(AiEvent::ActionProgress { conversation, action, line: "porch: segment 3 of 3".into() }));
    h.settle().await;
    assert!(h.screen80().contains("running 1 min 15 s · porch: segment 3 of 3"), "the latest line replaces the one before");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_rejects_e_edits_in_the_palette_and_history_comes_back() {
    let (mut h, peer) = with_porch().await;
    let before = bri(&peer);
    ask(&mut h, "turn the porch WLED to 30 %").await;
    // `e`: the palette opens with the command and its arguments typed in.
    h.key(KeyCode::Char('e')).await;
    let s = h.screen80();
    assert!(s.contains("wled_set") && s.contains("bri=77"), "{s}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('n')).await;
    assert!(h.screen80().contains("· rejected"), "{}", h.screen80());
    assert_eq!(bri(&peer), before);
    // `y` on a rejected card does nothing and says why.
    h.key(KeyCode::Char('y')).await;
    assert!(h.screen80().contains("no proposal waiting"), "{}", h.screen80());
    assert_eq!(bri(&peer), before);
    // Back in the box, Up brings the request back.
    h.key(KeyCode::Char('i')).await;
    h.key(KeyCode::Up).await;
    assert!(h.screen80().contains("› turn the porch WLED to 30 %") || h.screen80().matches("turn the porch WLED to 30 %").count() >= 2);
    assert_eq!(h.driver.app.panes.ai.input.text(), "turn the porch WLED to 30 %");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_are_listed_renamed_resumed_and_deleted() {
    let (mut h, _peer) = with_porch().await;
    ask(&mut h, "turn the porch WLED to 30 %").await;
    h.key(KeyCode::Char('c')).await;
    let s = h.screen80();
    assert!(s.contains("AI · conversations") && s.contains("turn the porch WLED to 30 %"), "{s}");
    h.key(KeyCode::Char('r')).await;
    h.key(KeyCode::Backspace).await;
    h.typ("porch dimming").await;
    h.enter().await;
    assert!(h.screen80().contains("porch dimming"), "{}", h.screen80());
    // A new conversation, then the old one resumed from the list.
    h.key(KeyCode::Char('a')).await;
    assert!(h.screen80().contains("Say what you want"), "{}", h.screen80());
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('c')).await;
    h.enter().await;
    let s = h.screen80();
    assert!(s.contains("AI · porch dimming") && s.contains("wled_set"), "{s}");
    h.key(KeyCode::Char('c')).await;
    h.key(KeyCode::Char('D')).await;
    h.key(KeyCode::Char('y')).await;
    assert!(h.screen80().contains("No conversations yet"), "{}", h.screen80());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_reply_renders_code_and_a_table() {
    let (mut h, _peer) = with_porch().await;
    ask(&mut h, "which lights are on?").await;
    let conversation = h.driver.app.panes.ai.conversation.unwrap();
    // A provider streaming its next reply, token by token, as the engine
    // broadcasts it.
    h.driver.app.panes.ai.generating = true;
    let reply = "Two lights:\n\n| light | bri |\n|---|--:|\n| porch | 128 |\n| garage | 30 |\n\nTo check by hand:\n\n```sh\nhomedeck wled status porch\n```\n";
    for piece in reply.split_inclusive(' ') {
        h.driver.engine_event(Event::Ai(AiEvent::Token { conversation, text: piece.into() }));
    }
    h.settle().await;
    let s = h.screen80();
    assert!(s.contains("replying… Esc stops"), "{s}");
    assert!(s.contains("porch  │ 128") && s.contains("  homedeck wled status porch"), "{s}");
    insta::assert_snapshot!("ai_streamed", s);
    // Esc stops: the engine answers that nothing was running for it.
    h.key(KeyCode::Esc).await;
    assert!(!h.driver.app.panes.ai.generating);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_panes_selection_is_offered_as_context() {
    let (mut h, _peer) = with_porch().await;
    // Reload every pane: the device was added behind the console's back.
    h.driver.start();
    h.key(KeyCode::Char('4')).await;
    for _ in 0..200 {
        if h.screen80().contains("porch") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        h.settle().await;
    }
    use homedeck::tui::panes::Pane;
    assert_eq!(h.driver.app.panes.lights.context().as_deref(), Some("wled:porch"), "{}", h.screen80());
    h.key(KeyCode::Char('8')).await;
    let s = h.screen80();
    assert!(s.contains("context: wled:porch (from Lights)"), "{s}");
    h.driver.key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL));
    h.settle().await;
    assert!(!h.screen80().contains("context:"), "{}", h.screen80());
}
