//! Every crash the fuzz targets found, as a test with its minimised input.

use homedeck::daemon::codec::{FrameReader, ReadError};
use homedeck::daemon::protocol::ClientFrame;

/// daemon_frames::client_frames: a stream that ends inside a frame (here
/// 6 bytes of a 16-byte frame) was reported as "socket error: bytes
/// remaining on stream". Now it says a frame was cut short, and how much came.
#[test]
fn a_frame_cut_short_is_named_not_a_socket_error() {
    let stream: &[u8] = &[0, 0, 0, 16, b'{', b'"'];
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let err = rt.block_on(async { FrameReader::<&[u8], ClientFrame>::new(stream).next().await }).unwrap_err();
    let ReadError::Bad(m) = err else { panic!("{err}") };
    assert!(m.contains("closed in the middle of a frame") && m.contains("2 bytes"), "{m}");
}

/// esphome_messages::log_line_colours: a DEL (and any C1 control) in a log
/// line without escapes went through the fast path to the screen.
#[test]
fn control_characters_without_escapes_are_dropped_from_log_lines() {
    use homedeck::engine::internals::esphome::ansi;
    let found = "[D][sens\u{7f}r]: 'Temperature': Sending state 21.50000 °C";
    assert_eq!(ansi::parse(found).text, "[D][sensr]: 'Temperature': Sending state 21.50000 °C");
    for c in ['\u{7f}', '\u{80}', '\u{9b}', '\u{9f}'] {
        assert_eq!(ansi::strip(&format!("a{c}b")), "ab", "{c:?}");
    }
    // Tabs stay; so do ordinary characters sharing C1's UTF-8 lead byte.
    assert_eq!(ansi::strip("a\tb °C ±"), "a\tb °C ±");
}

/// mcp_requests: a yes/no argument of the wrong type (`enabled: null` on
/// `wled_schedule_enable`) was refused as "data did not match any variant
/// of untagged enum F" — neither the value nor what was expected. Now both.
#[test]
fn a_bad_yes_no_argument_names_the_value_and_what_was_expected() {
    use homedeck::engine::views::tools;
    for (enabled, shown) in [(serde_json::json!(null), "null"), (serde_json::json!([1]), "sequence"), (serde_json::json!("maybe"), "\"maybe\"")] {
        let args = serde_json::json!({"name": "porch", "enabled": enabled});
        let m = tools::call("wled_schedule_enable", args.as_object().cloned()).unwrap_err().to_string();
        assert!(m.contains(shown) && m.contains("yes/no") && !m.contains("enum F"), "{m}");
    }
    let ok = serde_json::json!({"name": "porch", "enabled": "on"});
    assert!(tools::call("wled_schedule_enable", ok.as_object().cloned()).is_ok());
}
