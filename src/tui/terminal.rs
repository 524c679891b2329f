//! Entering and leaving the full-screen terminal. The guard restores the
//! terminal on every way out (return, error, panic) — a panic hook runs the
//! same restore before the message is printed, so it is readable.

use anyhow::{Context, Result};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode + alternate screen; the returned guard undoes both.
pub fn enter() -> Result<(Term, Guard)> {
    install_panic_hook();
    enable_raw_mode().context("cannot switch the terminal to raw mode (is this a terminal?)")?;
    let guard = Guard;
    execute!(stdout(), EnterAlternateScreen).context("cannot enter the alternate screen")?;
    let mut term = Terminal::new(CrosstermBackend::new(stdout())).context("cannot start the terminal backend")?;
    term.hide_cursor().context("cannot hide the cursor")?;
    term.clear().context("cannot clear the screen")?;
    Ok((term, guard))
}

/// Best effort: each step is tried even if an earlier one failed.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, crossterm::cursor::Show);
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
