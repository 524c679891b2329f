//! The protobuf messages homedeck decodes from a device (hello, device
//! info, entity headers of every `ListEntities*Response`, log lines, time)
//! and the ANSI colour escapes inside log lines — from the real messages,
//! mutated.

use crate::esphome_frames::sample_messages;
use crate::support::{self, mutated};
use homedeck::engine::internals::esphome::ansi;
use homedeck::engine::internals::esphome::api::messages::{self as m, decode};
use proptest::prelude::*;

fn payloads() -> Vec<Vec<u8>> {
    sample_messages().into_iter().map(|(_, p)| p).filter(|p| !p.is_empty()).collect()
}

proptest! {
    #![proptest_config(support::config(4000))]

    /// Each message type homedeck decodes, from any payload: a value or an
    /// error that names the message.
    #[test]
    fn protobuf_messages(bytes in mutated(payloads())) {
        fn check<T: prost::Message + Default>(what: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
            if let Err(e) = decode::<T>(what, bytes) {
                prop_assert!(e.contains(what), "{e:?} does not name {what}");
            }
            Ok(())
        }
        check::<m::HelloResponse>("HelloResponse", &bytes)?;
        check::<m::DeviceInfoResponse>("DeviceInfoResponse", &bytes)?;
        check::<m::EntityHeader>("entity", &bytes)?;
        check::<m::SubscribeLogsResponse>("log line", &bytes)?;
        check::<m::GetTimeResponse>("time", &bytes)?;
    }

    /// Log lines (their text after the protobuf): plain text and runs that
    /// lie inside it, on char boundaries, in order; no escape or control
    /// character survives.
    #[test]
    fn log_line_colours(bytes in mutated(vec![
        b"\x1b[0;32m[I][app]: Running through setup()\x1b[0m".to_vec(),
        b"\x1b[1;31m[E][i2c]: Bus error on SDA\x1b[0m".to_vec(),
        b"\x1b[0;35m[C][wifi]:   Password: \x1b[5m\x1b[8m'secret'\x1b[0m\x1b[0m".to_vec(),
        b"[D][sensor]: 'Temperature': Sending state 21.50000 \xc2\xb0C".to_vec(),
    ])) {
        let line = String::from_utf8_lossy(&bytes);
        let styled = ansi::parse(&line);
        // Tabs are kept (aligned config dumps); no other control character is.
        prop_assert!(!styled.text.chars().any(|c| c.is_control() && c != '\t'), "{:?}", styled.text);
        let mut last = 0;
        for r in &styled.runs {
            prop_assert!(r.start >= last && r.start <= r.end && r.end as usize <= styled.text.len(), "{r:?} in {:?}", styled.text);
            prop_assert!(styled.text.is_char_boundary(r.start as usize) && styled.text.is_char_boundary(r.end as usize));
            prop_assert!(r.fg.is_none_or(|c| c < 8));
            last = r.end;
        }
        prop_assert!(!ansi::strip(&line).contains('\x1b'));
    }
}
