//! Argument types of the lights verbs that are not plain strings or numbers.

use serde::{Deserialize, Deserializer, Serialize};

/// A yes/no argument that also reads `true/false/on/off/1/0` from a palette line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flag(pub bool);

/// A visitor rather than an untagged enum: serde's untagged error ("data did
/// not match any variant of untagged enum F") named neither the bad value nor
/// what was expected; this one says both (found by the MCP request fuzzer).
impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("yes/no: true, false, on, off, 1 or 0")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(b))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Flag, E> {
                Ok(Flag(n != 0))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Flag, E> {
                Ok(Flag(n != 0))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Flag, E> {
                match s.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" | "1" => Ok(Flag(true)),
                    "false" | "no" | "off" | "0" => Ok(Flag(false)),
                    _ => Err(E::custom(format!("{s:?} is not yes/no (true, false, on, off, 1, 0)"))),
                }
            }
        }
        d.deserialize_any(V)
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

