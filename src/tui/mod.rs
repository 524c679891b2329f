//! TUI front end.
