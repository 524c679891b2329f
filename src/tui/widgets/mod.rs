//! Small drawing helpers shared by panes and overlays.

pub mod list;
pub mod popup;
