//! A closed pipe ends the command quietly (`homedeck audit search | head -1`).
//!
//! Rust ignores SIGPIPE, so a write to a pipe whose reader has gone fails
//! with `BrokenPipe`, and `println!` turns that into a panic with a stack
//! trace. Restoring SIGPIPE's default action would need `unsafe` (forbidden
//! here) and would also kill a daemon writing to a client socket that just
//! closed. Instead a panic hook recognises std's "failed printing to
//! stdout/stderr: Broken pipe" panic and exits at once with 141 (128 +
//! SIGPIPE, what a shell shows for a command the signal ended): by then every
//! engine command the CLI ran has reported, so its writes are flushed and its
//! audit entry is written; only the rest of the output is lost, which nobody
//! is reading. Output written through `io::Write` (completion scripts) is
//! checked by `write_or_exit` instead.

use std::io::Write;

/// The exit status of a command ended by a closed pipe, as a shell reports it.
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// Install the hook; every other panic goes on to the previous hook.
pub fn exit_quietly_on_closed_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied());
        if text.is_some_and(is_closed_pipe) {
            std::process::exit(CLOSED_PIPE_EXIT);
        }
        previous(info);
    }));
}

/// std's own words when `print!`/`eprint!` meet a closed pipe.
fn is_closed_pipe(message: &str) -> bool {
    message.starts_with("failed printing to std") && message.contains("Broken pipe")
}

/// Write all of `bytes` to stdout; a closed pipe exits quietly like `println!`.
pub fn write_or_exit(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(CLOSED_PIPE_EXIT),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::is_closed_pipe;

    #[test]
    fn only_std_print_panics_on_a_closed_pipe_are_quiet() {
        assert!(is_closed_pipe("failed printing to stdout: Broken pipe (os error 32)"));
        assert!(is_closed_pipe("failed printing to stderr: Broken pipe (os error 32)"));
        assert!(!is_closed_pipe("failed printing to stdout: No space left on device (os error 28)"));
        assert!(!is_closed_pipe("index out of bounds: Broken pipe"));
    }
}
