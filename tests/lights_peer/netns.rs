//! Run a test inside a private network namespace (`unshare -n`, loopback
//! only), so it can bind port 80 (python-wled always uses it) and multicast
//! mDNS without a packet leaving this machine.

use std::process::Command;

const MARK: &str = "HOMEDECK_TEST_NETNS";

/// True inside the namespace (run the body). Outside, re-run this test
/// binary's `inner` test in a fresh namespace, assert it passed, and return
/// false.
pub fn enter(inner: &str) -> bool {
    if std::env::var_os(MARK).is_some() {
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("unshare")
        .args(["-n", "--", "sh", "-c", "ip link set lo up && ip link set lo multicast on && exec \"$0\" \"$@\""])
        .arg(&exe)
        .args(["--exact", inner, "--ignored", "--nocapture", "--test-threads=1"])
        .env(MARK, "1")
        .output()
        .expect("unshare (util-linux) and ip (iproute2) are needed for network-namespace tests; run as root");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{inner} inside a private network namespace failed:\n{stdout}\n{stderr}"
    );
    false
}
