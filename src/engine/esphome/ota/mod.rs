//! Over-the-air updates: the espota2 state machine (`protocol`), the driver
//! that runs it over TCP with progress and cancel (`client`), and single and
//! bulk updates with post-reboot confirmation (`update`, `bulk`).

pub mod bulk;
pub mod client;
pub mod protocol;
pub mod update;
