#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Property-based fuzzing of every decoder homedeck runs on bytes it does
//! not control (issue 19), on stable Rust with proptest. Each target starts
//! from real samples (the fixtures, frames recorded from the peers, archives
//! written by the real writer) and mutates them; the properties are:
//!
//! - never a panic (proptest reports one as a failure, with the shrunk input);
//! - bounded allocation: this binary's allocator refuses any allocation that
//!   would take the process past [`support::ALLOC_LIMIT`] (256 MiB), which
//!   aborts the run, so a decoder that believed a 4 GiB length prefix fails
//!   here; each length-prefixed format also has a test with such a prefix;
//! - every error names the bad value or where it was (checked per target);
//! - archives: nothing is ever written outside the extraction target, and an
//!   archive that reads back as valid is the one that was written.
//!
//! `HOMEDECK_FUZZ_CASES` sets the number of cases per target (default: a few
//! thousand, sized so the whole binary stays under two minutes on two cores);
//! `benches/fuzz.sh` runs a million per target and records cases/s in
//! docs/reliability.md. A crash found becomes a test in `regressions.rs`
//! with its minimised input.

mod support;

mod archive;
mod config_files;
mod daemon_frames;
mod esphome_frames;
mod esphome_messages;
mod espota;
mod ha_messages;
mod lights_json;
mod mcp_requests;
mod regressions;
mod ssh_config;

#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, support::ALLOC_LIMIT);
