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

/// How an FPP playlist stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopMode {
    Now,
    Graceful,
    AfterLoop,
}

