//! `[ai]` in config.toml: the assistant's model provider (off: the built-in
//! offline interpreter answers) and how much of a conversation is sent.
//! The API key is the *name* of a vault secret, never the key itself.
//! Checked when the config is read, so a typo names the key and the value.

use crate::engine::views::ai::{AiOptions, ProviderOptions, ProviderPreset};
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiConfig {
    /// ollama, llamacpp, lmstudio, vllm, openai, deepseek, openrouter,
    /// custom; absent or "none": no provider (offline interpreter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Up to and including `/v1`; the preset's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    pub model: String,
    /// The vault secret holding the API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_secret: Option<String>,
    pub timeout_secs: u64,
    pub retries: u32,
    pub run_reads: bool,
    pub max_messages: usize,
    pub max_context_tokens: usize,
    pub context_tokens: usize,
    pub toolsets: String,
}

impl Default for AiConfig {
    fn default() -> Self {
        let o = AiOptions::default();
        AiConfig {
            provider: None,
            base_url: None,
            model: String::new(),
            api_key_secret: None,
            timeout_secs: 60,
            retries: 3,
            run_reads: o.run_reads,
            max_messages: o.max_messages,
            max_context_tokens: o.max_context_tokens,
            context_tokens: o.context_tokens,
            toolsets: o.toolsets,
        }
    }
}

/// What a first run writes for `[ai]`.
pub const DEFAULT_TEXT: &str = r#"
[ai]
# The assistant's model: an OpenAI-compatible endpoint. Presets: ollama,
# llamacpp, lmstudio, vllm, openai, deepseek, openrouter (or custom with a
# base_url). Commented out: the built-in offline interpreter answers.
# provider = "ollama"
# base_url = "http://127.0.0.1:11434/v1"
model = ""
# The vault secret holding the API key (hosted providers need one).
# api_key_secret = "openai-key"
timeout_secs = 60
# Retries after 429 or 5xx answers, with exponential back-off.
retries = 3
# Read commands the assistant asks for run at once (false: they are proposals too).
run_reads = true
# The context window sent with a question: at most this many earlier
# messages and about this many tokens.
max_messages = 40
max_context_tokens = 6000
# Past about this many tokens of history, the oldest turns are summarised by
# the model (one extra request) and the summary is sent in their place.
context_tokens = 4000
# Tools offered to the model: default, all, names (see `homedeck mcp --help`),
# or none (chat only, for a model that cannot call tools).
toolsets = "default"
"#;

impl AiConfig {
    /// The engine's settings; errors name the `ai.` key and its value.
    pub fn options(&self) -> Result<AiOptions> {
        if self.max_messages == 0 {
            bail!("ai.max_messages = 0 — expected at least 1");
        }
        if self.max_context_tokens < 256 {
            bail!("ai.max_context_tokens = {} — expected at least 256", self.max_context_tokens);
        }
        if self.context_tokens < 256 {
            bail!("ai.context_tokens = {} — expected at least 256", self.context_tokens);
        }
        if self.timeout_secs == 0 {
            bail!("ai.timeout_secs = 0 — expected at least 1 (seconds)");
        }
        if self.retries > 10 {
            bail!("ai.retries = {} — expected 0 to 10", self.retries);
        }
        if self.toolsets.trim() != "none" {
            crate::engine::views::tools::ToolsetSelection::parse(&self.toolsets).map_err(|e| anyhow::anyhow!("ai.toolsets = {:?} — {e} (or none: no tools)", self.toolsets))?;
        }
        let provider = match self.provider.as_deref().map(str::trim) {
            None | Some("" | "none" | "offline") => None,
            Some(name) => {
                let Some(preset) = ProviderPreset::parse(name) else {
                    bail!("ai.provider = {name:?} — expected {} (or none)", ProviderPreset::NAMES);
                };
                let base_url = self.base_url.clone().unwrap_or_else(|| preset.default_base_url().to_string());
                if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
                    bail!("ai.base_url = {base_url:?} — expected an http:// or https:// URL ending in /v1 (provider {name} has no default)");
                }
                if self.model.trim().is_empty() {
                    bail!("ai.model = \"\" — expected the model's name as the endpoint knows it (provider {name})");
                }
                if preset.needs_key() && self.api_key_secret.is_none() {
                    bail!("ai.api_key_secret is not set — provider {name} needs an API key: store it with `homedeck secret add NAME api_key` and name it here");
                }
                Some(ProviderOptions {
                    preset,
                    base_url: base_url.trim_end_matches('/').to_string(),
                    model: self.model.trim().to_string(),
                    api_key_secret: self.api_key_secret.clone(),
                    timeout_secs: self.timeout_secs,
                    retries: self.retries,
                })
            }
        };
        Ok(AiOptions { provider, run_reads: self.run_reads, max_messages: self.max_messages, max_context_tokens: self.max_context_tokens, context_tokens: self.context_tokens, toolsets: self.toolsets.clone() })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(text: &str) -> Result<AiOptions> {
        let c: AiConfig = toml::from_str(text)?;
        c.options()
    }

    #[test]
    fn default_is_offline_and_the_default_text_parses() {
        assert_eq!(parse("").unwrap(), AiOptions::default());
        let c: AiConfig = toml::from_str(DEFAULT_TEXT.trim_start().trim_start_matches("[ai]")).unwrap();
        assert_eq!(c, AiConfig::default());
    }

    #[test]
    fn presets_fill_the_base_url() {
        let o = parse("provider = \"ollama\"\nmodel = \"qwen2.5\"").unwrap();
        let p = o.provider.unwrap();
        assert_eq!((p.base_url.as_str(), p.preset), ("http://127.0.0.1:11434/v1", ProviderPreset::Ollama));
        let p = parse("provider = \"llamacpp\"\nmodel = \"m\"\nbase_url = \"http://127.0.0.1:9/v1/\"").unwrap().provider.unwrap();
        assert_eq!(p.base_url, "http://127.0.0.1:9/v1");
    }

    #[test]
    fn bad_values_are_named() {
        let e = parse("provider = \"gpt\"\nmodel = \"x\"").unwrap_err().to_string();
        assert!(e.contains("ai.provider = \"gpt\"") && e.contains("ollama"), "{e}");
        let e = parse("provider = \"openai\"\nmodel = \"gpt-4o\"").unwrap_err().to_string();
        assert!(e.contains("ai.api_key_secret"), "{e}");
        let e = parse("provider = \"custom\"\nmodel = \"m\"").unwrap_err().to_string();
        assert!(e.contains("ai.base_url"), "{e}");
        let e = parse("provider = \"vllm\"").unwrap_err().to_string();
        assert!(e.contains("ai.model"), "{e}");
        assert!(parse("max_messages = 0").unwrap_err().to_string().contains("ai.max_messages = 0"));
        assert!(parse("context_tokens = 10").unwrap_err().to_string().contains("ai.context_tokens = 10"));
        assert!(parse("api_key = \"sk-123\"").is_err());
    }
}
