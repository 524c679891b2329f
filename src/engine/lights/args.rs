//! Argument types of the lights verbs that are not plain strings or numbers.

use serde::{Deserialize, Deserializer, Serialize};

/// A yes/no argument that also reads `true/false/on/off/1/0` from a palette line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum F {
            B(bool),
            S(String),
            N(u64),
        }
        match F::deserialize(d)? {
            F::B(b) => Ok(Flag(b)),
            F::N(n) => Ok(Flag(n != 0)),
            F::S(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(Flag(true)),
                "false" | "no" | "off" | "0" => Ok(Flag(false)),
                _ => Err(serde::de::Error::custom(format!("{s:?} is not yes/no (true, false, on, off, 1, 0)"))),
            },
        }
    }
}

/// Tool schemas (MCP, AI) offer what `Deserialize` accepts: a boolean, or
/// the words and digits a palette line may carry.
impl schemars::JsonSchema for Flag {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Flag".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": "boolean" },
                { "type": "string", "enum": ["true", "false", "yes", "no", "on", "off", "1", "0"] }
            ]
        })
    }
}

/// How an FPP playlist stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopMode {
    Now,
    Graceful,
    AfterLoop,
}

