//! The ESPHome native API client: frames (`frame`), the Noise handshake and
//! cipher (`noise`), the protobuf messages homedeck uses (`messages`), and a
//! TCP connection that ties them together (`conn`).

pub mod conn;
pub mod frame;
pub mod messages;
pub mod noise;

pub use conn::{ApiError, ConnectOptions, Connection};
