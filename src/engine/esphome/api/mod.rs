//! The ESPHome native API client: frames (`frame`), the Noise handshake and
//! cipher (`noise`), the protobuf messages homedeck uses (`messages`), and a
//! TCP connection that ties them together (`conn`); `probe` is the cheap
//! is-it-there check of the presence poller.

pub mod conn;
pub mod frame;
pub mod messages;
pub mod noise;
pub mod probe;

pub use conn::{ApiError, ConnectOptions, Connection};
