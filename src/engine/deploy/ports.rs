//! Port allocation. A deployment's port comes from a configurable range
//! (default `8123,8200-8300`), must be unique among the server's deployments
//! in the db, and must not be listened on by anything on the server itself —
//! which homedeck learns from `/proc/net/tcp{,6}` (present on every Linux,
//! unlike `ss` or `netstat`).

use crate::engine::error::{EngineError, EngineResult};
use std::collections::BTreeSet;

/// The default range: Home Assistant's own port first, then a block above it.
pub const DEFAULT_RANGE: &str = "8123,8200-8300";

/// Parse `8123,8200-8300` into the ports in order (duplicates dropped).
pub fn parse_range(spec: &str) -> EngineResult<Vec<u16>> {
    let bad = |why: &str| EngineError::invalid("port range", spec, why);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let lo: u16 = lo.parse().map_err(|_| bad("ports 1–65535 like 8123,8200-8300"))?;
        let hi: u16 = hi.parse().map_err(|_| bad("ports 1–65535 like 8123,8200-8300"))?;
        if lo == 0 || hi < lo {
            return Err(bad("ranges low-high with 1 ≤ low ≤ high ≤ 65535"));
        }
        if usize::from(hi - lo) + out.len() > 10_000 {
            return Err(bad("at most 10000 ports"));
        }
        for p in lo..=hi {
            if seen.insert(p) {
                out.push(p);
            }
        }
    }
    if out.is_empty() {
        return Err(bad("at least one port"));
    }
    Ok(out)
}

/// The shell line that prints the server's TCP socket tables.
pub const LISTENING_PROBE: &str = "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null";

/// Ports in LISTEN state (st = 0A) in `/proc/net/tcp` text. Lines that do not
/// look like socket rows are skipped, never trusted.
pub fn listening_ports(proc_net_tcp: &str) -> BTreeSet<u16> {
    let mut out = BTreeSet::new();
    for line in proc_net_tcp.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // sl local_address rem_address st …
        let (Some(local), Some(st)) = (cols.get(1), cols.get(3)) else { continue };
        if !cols.first().is_some_and(|c| c.ends_with(':')) || *st != "0A" {
            continue;
        }
        if let Some((_, port_hex)) = local.rsplit_once(':')
            && let Ok(port) = u16::from_str_radix(port_hex, 16)
        {
            out.insert(port);
        }
    }
    out
}

/// The first port of `range` not taken in the db nor listened on.
pub fn pick(range: &[u16], taken_db: &BTreeSet<u16>, listening: &BTreeSet<u16>) -> Option<u16> {
    range.iter().copied().find(|p| !taken_db.contains(p) && !listening.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1FBB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:2008 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:2009 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0
";

    #[test]
    fn reads_listening_sockets_only() {
        let l = listening_ports(SAMPLE);
        assert_eq!(l.into_iter().collect::<Vec<_>>(), vec![8123, 8201]);
        // Garbage never panics and yields nothing.
        for junk in ["", "0: zz:zz 00 0A", "x\ny\n", "0: 0100007F:FFFFF 0 0A"] {
            assert!(listening_ports(junk).is_empty(), "{junk}");
        }
    }

    #[test]
    fn ranges_and_picking() {
        let r = parse_range(DEFAULT_RANGE).unwrap();
        assert_eq!(r.len(), 102);
        assert_eq!(&r[..3], &[8123, 8200, 8201]);
        for bad in ["", "0", "9-8", "x", "1-70000", "1-20000"] {
            let e = parse_range(bad).unwrap_err().to_string();
            assert!(e.contains("port range"), "{e}");
        }
        let db: BTreeSet<u16> = [8123].into();
        let listening = listening_ports(SAMPLE);
        assert_eq!(pick(&r, &db, &listening), Some(8200));
        assert_eq!(pick(&[8123], &db, &listening), None);
    }
}
