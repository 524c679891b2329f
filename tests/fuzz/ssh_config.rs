//! `server import-ssh-config`: the OpenSSH client config parser and the
//! checks each imported host goes through (name, host, port, user), from a
//! realistic ~/.ssh/config mutated. The parser never fails; each host is
//! added or skipped with a note naming the bad value.

use crate::support::{self, mutated_text};
use homedeck::engine::internals::servers::ssh_config::parse;
use homedeck::engine::internals::servers::validate;
use proptest::prelude::*;

const SAMPLE: &str = "# homelab\n\
Host *\n    User admin\n    ServerAliveInterval 30\n\n\
Host nas nas-backup\n    HostName 192.168.1.10\n    Port 2222\n    IdentityFile ~/.ssh/id_ed25519\n\n\
Host pi\n    Hostname=pi.local\n    User=pi\n\n\
Host \"quoted name\"\n    HostName \"10.0.0.5\"\n\n\
Match host *.lan\n    User lan\n\n\
Host web-*\n    User www\n";

proptest! {
    #![proptest_config(support::config(4000))]

    #[test]
    fn ssh_config_import(text in mutated_text(vec![SAMPLE.to_string(), SAMPLE.replace('\n', "\r\n")])) {
        for b in parse(&text) {
            // Every value the parser keeps came from the text.
            for v in [&b.hostname, &b.port, &b.user, &b.identity_file].into_iter().flatten() {
                prop_assert!(text.contains(v.as_str()), "{v:?} is not in the text");
            }
            for alias in &b.patterns {
                prop_assert!(alias == "!match" || text.contains(alias.as_str()), "{alias:?}");
                let host = b.hostname.clone().unwrap_or_else(|| alias.clone());
                let port_text = b.port.clone().unwrap_or_else(|| "22".into());
                let user = b.user.clone().unwrap_or_else(|| "root".into());
                let checked = validate::name("name", alias)
                    .map(|_| "name")
                    .and_then(|_| validate::host(&host).map(|_| "host"))
                    .and_then(|_| port_text.parse::<u32>().map_err(|_| homedeck::engine::EngineError::invalid("port", &port_text, "a TCP port from 1 to 65535")).and_then(validate::port).map(|_| "port"))
                    .and_then(|_| validate::user(&user).map(|_| "user"));
                if let Err(e) = checked {
                    // The skip note quotes the value it refused (as printed, escaped).
                    let msg = e.to_string();
                    let quoted = [alias, &host, &port_text, &user].iter().any(|v| msg.contains(&format!("{v:?}")) || msg.contains(v.as_str()));
                    prop_assert!(quoted, "{msg:?} quotes none of {alias:?} {host:?} {port_text:?} {user:?}");
                }
            }
        }
    }
}
