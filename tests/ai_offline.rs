//! The assistant end to end with the offline interpreter (no provider),
//! against the real peers the suite already runs: a WLED peer's brightness
//! proposed, previewed, confirmed, checked on the device and undone; a
//! command on the test sshd; a backup of a Node-RED user dir; reads that
//! run at once; conversations that outlive the engine that held them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup_common;
mod common;
mod lights_peer;

use homedeck::engine::views::ai::{ActionStatus, AiOutcome, Reply};
use homedeck::engine::{Command, EngineHandle, Outcome};
use lights_peer::{WledPeer, fixtures};

async fn ask(e: &EngineHandle, conversation: Option<u64>, text: &str) -> Reply {
    match common::run(e, Command::AiAsk { conversation, text: text.into(), context: None }).await.unwrap() {
        Outcome::Ai(AiOutcome::Reply { reply }) => *reply,
        other => panic!("{other:?}"),
    }
}

async fn confirm(e: &EngineHandle, id: u64) -> homedeck::engine::views::ai::Action {
    match common::run(e, Command::AiConfirm { proposal: id, typed: None }).await.unwrap() {
        Outcome::Ai(AiOutcome::Action { action }) => *action,
        other => panic!("{other:?}"),
    }
}

async fn audit_actors(e: &EngineHandle, action: &str) -> Vec<String> {
    let c = Command::AuditSearch { category: None, min_severity: None, status: None, actor: None, resource: None, since: None, until: None, text: None, limit: Some(200), before: None };
    let v = serde_json::to_value(common::run(e, c).await.unwrap()).unwrap();
    v["page"]["entries"].as_array().unwrap().iter().filter(|x| x["action"] == action).map(|x| format!("{}@{} {}", x["actor"]["user"].as_str().unwrap_or(""), x["actor"]["frontend"].as_str().unwrap_or(""), x["status"].as_str().unwrap_or(""))).collect()
}

/// An engine with the test sshd added as server `box` (the sshd lives as
/// long as the returned guard).
async fn with_box() -> (tempfile::TempDir, common::sshd::Sshd, EngineHandle) {
    common::sshd::ensure_installed();
    let dir = tempfile::tempdir().unwrap();
    let sshd = common::sshd::Sshd::start(&dir.path().join("sshd"));
    let e = common::open(&dir.path().join("data"));
    common::init(&e).await;
    common::run(&e, sshd.server_add("box")).await.unwrap();
    (dir, sshd, e)
}

fn wled_dump() -> std::path::PathBuf {
    fixtures().join("wled").join("rgb.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wled_brightness_is_proposed_confirmed_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&wled_dump()).await;
    common::run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
    let before = peer.state()["bri"].as_u64().unwrap();
    assert_ne!(before, 77, "the dump must not already be at 30 %");

    let reply = ask(&e, None, "turn the porch WLED to 30 %").await;
    assert_eq!(reply.by, "offline");
    assert_eq!(reply.proposals.len(), 1, "{reply:?}");
    let p = &reply.proposals[0];
    assert_eq!((p.name.as_str(), p.status), ("wled_set", ActionStatus::Proposed));
    assert!(!p.preview.is_empty(), "a proposal carries its preview");
    // Nothing changed before the confirm.
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before);

    let done = confirm(&e, p.id).await;
    assert_eq!(done.status, ActionStatus::Done, "{done:?}");
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), 77);
    assert!(audit_actors(&e, "wled_set").await.iter().any(|a| a == "tester@ai success"), "{:?}", audit_actors(&e, "wled_set").await);
    assert!(done.inverse.is_some(), "a light change records its inverse");

    let undo = match common::run(&e, Command::AiUndo { action: done.id }).await.unwrap() {
        Outcome::Ai(AiOutcome::Action { action }) => *action,
        other => panic!("{other:?}"),
    };
    assert_eq!((undo.status, undo.undo_of), (ActionStatus::Proposed, Some(done.id)));
    assert!(!undo.preview.is_empty());
    let undone = confirm(&e, undo.id).await;
    assert_eq!(undone.status, ActionStatus::Done);
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before);
    let show = common::run(&e, Command::AiShow { conversation: reply.conversation }).await.unwrap();
    let Outcome::Ai(AiOutcome::Conversation { actions, .. }) = show else { panic!() };
    assert_eq!(actions.iter().find(|a| a.id == done.id).unwrap().status, ActionStatus::RolledBack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_proposal_never_runs_and_a_confirmed_one_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&wled_dump()).await;
    common::run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
    let on = peer.state()["on"].clone();
    let reply = ask(&e, None, if on == true { "turn porch off" } else { "turn porch on" }).await;
    let id = reply.proposals[0].id;
    let r = common::run(&e, Command::AiReject { proposal: id }).await.unwrap();
    assert!(r.summary().contains("rejected"), "{}", r.summary());
    assert_eq!(peer.state()["on"], on);
    let err = common::run(&e, Command::AiConfirm { proposal: id, typed: None }).await.unwrap_err().to_string();
    assert!(err.contains("rejected"), "{err}");
    assert!(audit_actors(&e, "wled_set").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_on_the_test_sshd() {
    let (dir, _sshd, e) = with_box().await;
    let marker = dir.path().join("ran-by-ai");
    let reply = ask(&e, None, &format!("run touch {} on box", marker.display())).await;
    assert_eq!(reply.proposals.len(), 1, "{reply:?}");
    assert_eq!(reply.proposals[0].name, "server_exec");
    assert!(!marker.exists(), "a proposal does not run");
    let done = confirm(&e, reply.proposals[0].id).await;
    assert_eq!(done.status, ActionStatus::Done, "{done:?}");
    assert!(marker.exists());
    assert!(audit_actors(&e, "server_exec").await.iter().any(|a| a.starts_with("tester@ai")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_node_red_user_dir() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("node-red");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("flows.json"), "[]").unwrap();
    std::fs::write(src.join("settings.js"), "module.exports = {}").unwrap();
    let e = common::open(&dir.path().join("data"));
    common::run(&e, backup_common::source_add("nodered", "dir", &src)).await.unwrap();
    let reply = ask(&e, None, "back up nodered now").await;
    assert_eq!(reply.proposals.len(), 1, "{reply:?}");
    let done = confirm(&e, reply.proposals[0].id).await;
    assert_eq!(done.status, ActionStatus::Done, "{done:?}");
    let list = common::run(&e, Command::BackupList { source: Some("nodered".into()) }).await.unwrap();
    assert!(list.summary().starts_with('1'), "{}", list.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_run_at_once_and_what_is_not_understood_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let reply = ask(&e, None, "what happened in the last hour?").await;
    assert!(reply.proposals.is_empty());
    assert_eq!(reply.ran.len(), 1);
    assert_eq!((reply.ran[0].name.as_str(), reply.ran[0].status), ("audit_search", ActionStatus::Done));
    let reply = ask(&e, Some(reply.conversation), "make me a sandwich").await;
    assert!(reply.text.contains("did not understand") && reply.text.contains("restart"), "{}", reply.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_outlive_the_engine_and_export_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let e = common::open(dir.path());
        ask(&e, None, "which secrets are due for rotation").await.conversation
    };
    let e = common::open_when_free(homedeck::engine::EngineOptions::new(dir.path()));
    let list = common::run(&e, Command::AiConversations {}).await.unwrap();
    let Outcome::Ai(AiOutcome::Conversations { conversations }) = list else { panic!() };
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].id, id);
    common::run(&e, Command::AiRename { conversation: id, title: "rotation check".into() }).await.unwrap();
    let Outcome::Ai(AiOutcome::Exported { markdown, .. }) = common::run(&e, Command::AiExport { conversation: id }).await.unwrap() else { panic!() };
    assert!(markdown.starts_with("# rotation check") && markdown.contains("which secrets are due") && markdown.contains("secret_rotation_due"), "{markdown}");
    let err = common::run(&e, Command::AiShow { conversation: 999 }).await.unwrap_err().to_string();
    assert!(err.contains("999"), "{err}");
    common::run(&e, Command::AiDelete { conversation: id }).await.unwrap();
    assert!(common::run(&e, Command::AiShow { conversation: id }).await.is_err());
}

/// While a confirmed command runs, its own output comes back as the
/// action's progress lines, tagged with the conversation and the action,
/// between `ActionStarted` and `ActionFinished`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_action_reports_its_progress() {
    use homedeck::engine::Event;
    use homedeck::engine::views::ai::AiEvent;
    let (_dir, _sshd, e) = with_box().await;
    let reply = ask(&e, None, "run echo progress-marker-42 on box").await;
    assert_eq!(reply.proposals.len(), 1, "{reply:?}");
    let id = reply.proposals[0].id;
    let mut events = e.subscribe();
    let done = confirm(&e, id).await;
    assert_eq!(done.status, ActionStatus::Done, "{done:?}");
    let mut seen = Vec::new();
    while let Ok(ev) = events.try_recv() {
        match ev {
            Event::Ai(AiEvent::ActionStarted { conversation, action, .. }) => seen.push(format!("started {conversation}/{action}")),
            Event::Ai(AiEvent::ActionProgress { conversation, action, line }) => seen.push(format!("progress {conversation}/{action} {line}")),
            Event::Ai(AiEvent::ActionFinished { conversation, action, status, .. }) => seen.push(format!("finished {conversation}/{action} {}", status.as_str())),
            _ => {}
        }
    }
    let tag = format!("{}/{id}", reply.conversation);
    assert_eq!(seen.first(), Some(&format!("started {tag}")), "{seen:#?}");
    assert_eq!(seen.last(), Some(&format!("finished {tag} done")), "{seen:#?}");
    assert!(seen.contains(&format!("progress {tag} running on box")), "{seen:#?}");
    assert!(seen.contains(&format!("progress {tag} box: progress-marker-42")), "the command's output is its progress: {seen:#?}");
    assert!(seen.contains(&format!("progress {tag} box: exit 0")), "{seen:#?}");
}
