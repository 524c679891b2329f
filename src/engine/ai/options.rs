//! The settings of the AI domain (`[ai]` in config.toml, read by
//! `src/config_ai.rs`): which OpenAI-compatible provider, if any, and how
//! much of a conversation is sent to it. The API key is a vault secret's
//! *name*; its value is read inside the engine for each request and never
//! leaves it except in the `Authorization` header.

use serde::{Deserialize, Serialize};

/// Known OpenAI-compatible endpoints: each fills in a default base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderPreset {
    Ollama,
    Llamacpp,
    Lmstudio,
    Vllm,
    Openai,
    Deepseek,
    Openrouter,
    /// Any other OpenAI-compatible endpoint: `base_url` is required.
    Custom,
}

impl ProviderPreset {
    pub const NAMES: &'static str = "ollama, llamacpp, lmstudio, vllm, openai, deepseek, openrouter or custom";

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ollama" => Self::Ollama,
            "llamacpp" | "llama.cpp" => Self::Llamacpp,
            "lmstudio" => Self::Lmstudio,
            "vllm" => Self::Vllm,
            "openai" => Self::Openai,
            "deepseek" => Self::Deepseek,
            "openrouter" => Self::Openrouter,
            "custom" => Self::Custom,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ollama => "ollama",
            Self::Llamacpp => "llamacpp",
            Self::Lmstudio => "lmstudio",
            Self::Vllm => "vllm",
            Self::Openai => "openai",
            Self::Deepseek => "deepseek",
            Self::Openrouter => "openrouter",
            Self::Custom => "custom",
        }
    }

    /// The base URL (up to and including `/v1`) the preset's server uses by default.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::Ollama => "http://127.0.0.1:11434/v1",
            Self::Llamacpp => "http://127.0.0.1:8080/v1",
            Self::Lmstudio => "http://127.0.0.1:1234/v1",
            Self::Vllm => "http://127.0.0.1:8000/v1",
            Self::Openai => "https://api.openai.com/v1",
            Self::Deepseek => "https://api.deepseek.com/v1",
            Self::Openrouter => "https://openrouter.ai/api/v1",
            Self::Custom => "",
        }
    }

    /// Hosted providers refuse requests without a key.
    pub fn needs_key(self) -> bool {
        matches!(self, Self::Openai | Self::Deepseek | Self::Openrouter)
    }
}

/// One configured provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderOptions {
    pub preset: ProviderPreset,
    /// Up to `/v1`, without a trailing slash.
    pub base_url: String,
    pub model: String,
    /// The vault secret holding the API key (sent as a bearer token).
    pub api_key_secret: Option<String>,
    /// Whole-request timeout; a stream that goes quiet this long is cut too.
    pub timeout_secs: u64,
    /// Retries after a 429 or 5xx (exponential back-off).
    pub retries: u32,
}

/// `[ai]` as the engine uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiOptions {
    /// `None`: the built-in offline interpreter answers.
    pub provider: Option<ProviderOptions>,
    /// Read commands the assistant proposes run at once (else they are
    /// proposals too).
    pub run_reads: bool,
    /// At most this many earlier messages are sent with a question.
    pub max_messages: usize,
    /// …and at most about this many tokens of them (4 bytes a token).
    pub max_context_tokens: usize,
    /// The provider's context budget for a conversation's history (about,
    /// 4 bytes a token): past it, the oldest turns are summarised by the
    /// model and the summary stands in for them.
    pub context_tokens: usize,
    /// Toolsets offered to the model (as `homedeck mcp --toolsets`).
    pub toolsets: String,
}

impl Default for AiOptions {
    fn default() -> Self {
        AiOptions { provider: None, run_reads: true, max_messages: 40, max_context_tokens: 6000, context_tokens: 4000, toolsets: "default".into() }
    }
}
