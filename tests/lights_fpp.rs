//! homedeck against the in-test FPP peer: status (numbers sent as strings),
//! playlists, every stop variant, pause/resume, next/previous, schedule
//! view and validated edits, MultiSync, and the "no authentication" notice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lights_peer;

use homedeck::engine::{GeneralOutcome, LightsOutcome};
use homedeck::engine::internals::lights::args::{Flag, StopMode};
use homedeck::engine::{Command, EngineHandle, Outcome};
use lights_peer::fpp::FppPeer;
use serde_json::json;

async fn status(e: &EngineHandle) -> homedeck::engine::internals::lights::fpp::model::FppStatus {
    match common::run(e, Command::FppStatus { host: "show".into() }).await.unwrap() {
        Outcome::Lights(LightsOutcome::FppStatus { status, notice, .. }) => {
            assert!(notice.contains("no authentication"));
            *status
        }
        o => panic!("{o:?}"),
    }
}

fn add_entry(playlist: &str, day: &str, start: &str, end: &str) -> Command {
    Command::FppScheduleAdd {
        host: "show".into(),
        playlist: playlist.into(),
        day: day.into(),
        start_time: start.into(),
        end_time: end.into(),
        start_date: None,
        end_date: None,
        repeat: Some(Flag(true)),
        stop: Some("graceful_after_loop".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_playlists_and_controls() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = FppPeer::start().await;
    let Outcome::General(GeneralOutcome::Done { message }) =
        common::run(&e, Command::FppAdd { address: peer.addr.to_string(), name: Some("show".into()), site: None }).await.unwrap()
    else {
        panic!()
    };
    assert!(message.contains("no authentication"), "{message}");

    // The real status dump: several numbers arrive as strings.
    let s = status(&e).await;
    assert_eq!((s.status, s.state_name()), (1, "playing"));
    assert_eq!(s.current_playlist.playlist, "Idle30");
    assert_eq!((s.current_playlist.index, s.current_playlist.count), (8, 14));
    assert_eq!((s.seconds_elapsed, s.seconds_remaining), (0, 4));
    assert_eq!(s.next_playlist.playlist, "Idle30");
    assert_eq!(s.version, "8.x-master-25-g7d4021a0-dirty");
    assert_eq!(s.uptime_secs, 1055);
    assert_eq!(s.sensors.len(), 2);
    assert_eq!(s.progress(), Some(0.0));

    let Outcome::Lights(LightsOutcome::FppPlaylists { playlists, .. }) =
        common::run(&e, Command::FppPlaylists { host: "show".into() }).await.unwrap()
    else {
        panic!()
    };
    assert!(playlists.contains(&"Playlist_1".to_string()), "{playlists:?}");

    common::run(&e, Command::FppStart { host: "show".into(), playlist: "Playlist_2".into(), repeat: Some(Flag(true)) })
        .await
        .unwrap();
    let s = status(&e).await;
    assert_eq!((s.current_playlist.playlist.as_str(), s.repeat_mode, s.status), ("Playlist_2", 1, 1));
    let err = common::run(&e, Command::FppStart { host: "show".into(), playlist: "Nope".into(), repeat: None })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Nope") && err.contains("Playlist_1"), "{err}");

    common::run(&e, Command::FppNext { host: "show".into() }).await.unwrap();
    assert_eq!(status(&e).await.current_playlist.index, 2);
    common::run(&e, Command::FppPrev { host: "show".into() }).await.unwrap();
    common::run(&e, Command::FppPrev { host: "show".into() }).await.unwrap();
    assert_eq!(status(&e).await.current_playlist.index, 3);
    assert_eq!(peer.shared.lock().unwrap().commands, vec!["Next Playlist Item", "Prev Playlist Item", "Prev Playlist Item"]);

    common::run(&e, Command::FppPause { host: "show".into() }).await.unwrap();
    assert_eq!(status(&e).await.state_name(), "paused");
    common::run(&e, Command::FppResume { host: "show".into() }).await.unwrap();
    assert_eq!(status(&e).await.status, 1);
    for (mode, code) in [(StopMode::Graceful, 2), (StopMode::AfterLoop, 3), (StopMode::Now, 0)] {
        common::run(&e, Command::FppStop { host: "show".into(), mode: Some(mode) }).await.unwrap();
        assert_eq!(status(&e).await.status, code, "{mode:?}");
    }

    let Outcome::Lights(LightsOutcome::FppSystems { systems, .. }) = common::run(&e, Command::FppMultisync { host: "show".into() }).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(systems.len(), 2);
    assert_eq!(systems[0].mode, "player");

    let Outcome::Lights(LightsOutcome::FppHosts { hosts, notice }) = common::run(&e, Command::FppList {}).await.unwrap() else { panic!() };
    assert_eq!(hosts.len(), 1);
    assert!(notice.contains("no authentication"));
    let audit = common::audit_all(&e).await;
    assert!(audit.iter().any(|a| a.action == "fpp_stop"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_view_and_validated_edits() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = FppPeer::start().await;
    common::run(&e, Command::FppAdd { address: peer.addr.to_string(), name: Some("show".into()), site: None }).await.unwrap();
    let Outcome::Lights(LightsOutcome::FppSchedule { schedule }) = common::run(&e, Command::FppSchedule { host: "show".into() }).await.unwrap()
    else {
        panic!()
    };
    // openapi.json's example entry.
    assert_eq!(schedule.entries.len(), 1);
    let first = &schedule.entries[0];
    assert_eq!((first.playlist.as_str(), first.day_name.as_str(), first.enabled), ("Main Show", "everyday", false));

    // Refusals name the bad value; nothing is posted.
    for (cmd, want) in [
        (add_entry("Playlist_9", "everyday", "17:00", "22:00"), "Playlist_9"),
        (add_entry("Playlist_1", "someday", "17:00", "22:00"), "someday"),
        (add_entry("Playlist_1", "weekends", "7pm", "22:00"), "7pm"),
        (add_entry("Playlist_1", "weekends", "17:00", "25:61"), "25:61"),
    ] {
        let err = common::run(&e, cmd).await.unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    assert_eq!(peer.shared.lock().unwrap().schedule.as_array().unwrap().len(), 1);

    let Outcome::Lights(LightsOutcome::FppSchedule { schedule }) = common::run(&e, add_entry("Playlist_1", "weekends", "SunSet", "23:30")).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(schedule.entries.len(), 2);
    let stored = peer.shared.lock().unwrap().schedule.clone();
    assert_eq!(stored[1]["startTime"], "SunSet");
    assert_eq!(stored[1]["endTime"], "23:30:00");
    assert_eq!(stored[1]["day"], 9);
    assert_eq!(stored[1]["stopType"], 2);
    // The existing entry kept every field it had.
    assert_eq!(stored[0]["startDate"], "2014-01-01");

    common::run(&e, Command::FppScheduleEnable { host: "show".into(), index: 0, enabled: Flag(true) }).await.unwrap();
    assert_eq!(peer.shared.lock().unwrap().schedule[0]["enabled"], json!(1));
    let err = common::run(&e, Command::FppScheduleRemove { host: "show".into(), index: 5 }).await.unwrap_err();
    assert!(err.to_string().contains("0–1"), "{err}");
    common::run(&e, Command::FppScheduleRemove { host: "show".into(), index: 0 }).await.unwrap();
    let stored = peer.shared.lock().unwrap().schedule.clone();
    assert_eq!(stored.as_array().unwrap().len(), 1);
    assert_eq!(stored[0]["playlist"], "Playlist_1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_host_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let err = common::run(&e, Command::FppAdd { address: "127.0.0.1:1".into(), name: None, site: None }).await.unwrap_err().to_string();
    assert!(err.contains("127.0.0.1:1") && err.contains("did not answer"), "{err}");
    let err = common::run(&e, Command::FppAdd { address: "not a host".into(), name: None, site: None }).await.unwrap_err().to_string();
    assert!(err.contains("address") && err.contains("not a host"), "{err}");
}
