//! The OpenAI-compatible provider: `POST {base}/chat/completions` with SSE
//! streaming and tool calling, `GET {base}/models`.
//!
//! - `error.rs`: [`ProviderError`], which says which way it failed (bad
//!   key, model missing, rate limited, endpoint down, context too long …);
//! - `request.rs`: the request body — system prompt, the context window of
//!   the conversation as chat messages, the tools generated from the
//!   command table (no secret argument, filtered by `--readonly`);
//! - `stream.rs`: the SSE stream (and a plain JSON reply) → text and calls;
//! - `chat.rs`: one round with retries and back-off; the API key from the vault;
//! - `test.rs`: `ai_test`.

pub mod chat;
pub mod error;
pub mod request;
pub mod stream;
pub(crate) mod test;

pub use error::ProviderError;
