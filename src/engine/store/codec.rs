//! Versioned values: one format byte, then JSON. The byte lets a later
//! homedeck read what an earlier one wrote (and refuse what a newer one
//! wrote) record by record, without a big-bang rewrite.

use crate::engine::error::{EngineError, EngineResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A type stored in sled.
pub trait Record: Serialize + DeserializeOwned {
    /// Name used in error messages ("secret", "audit entry" …).
    const WHAT: &'static str;
    /// Bump when the stored shape changes, and teach [`Record::upgrade`] the old one.
    const VERSION: u8 = 1;

    /// Turn the JSON of an older format version into the current type.
    fn upgrade(version: u8, _json: &[u8]) -> EngineResult<Self> {
        Err(EngineError::Corrupt {
            what: Self::WHAT.to_string(),
            detail: format!("format version {version} is not readable by this homedeck (expects {})", Self::VERSION),
        })
    }
}

pub fn encode<T: Record>(value: &T) -> EngineResult<Vec<u8>> {
    let mut out = vec![T::VERSION];
    serde_json::to_writer(&mut out, value).map_err(|e| EngineError::Corrupt {
        what: T::WHAT.to_string(),
        detail: format!("cannot encode: {e}"),
    })?;
    Ok(out)
}

pub fn decode<T: Record>(bytes: &[u8]) -> EngineResult<T> {
    let Some((&version, json)) = bytes.split_first() else {
        return Err(EngineError::Corrupt { what: T::WHAT.to_string(), detail: "empty value".into() });
    };
    if version == T::VERSION {
        serde_json::from_slice(json).map_err(|e| EngineError::Corrupt {
            what: T::WHAT.to_string(),
            detail: e.to_string(),
        })
    } else if version > T::VERSION {
        Err(EngineError::Corrupt {
            what: T::WHAT.to_string(),
            detail: format!("written by a newer homedeck (format version {version}, this one reads up to {})", T::VERSION),
        })
    } else {
        T::upgrade(version, json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct V2 {
        a: u32,
        b: String,
    }
    impl Record for V2 {
        const WHAT: &'static str = "thing";
        const VERSION: u8 = 2;
        fn upgrade(version: u8, json: &[u8]) -> EngineResult<Self> {
            #[derive(Deserialize)]
            struct V1 {
                a: u32,
            }
            match version {
                1 => {
                    let v1: V1 = serde_json::from_slice(json).map_err(|e| EngineError::Other(e.to_string()))?;
                    Ok(V2 { a: v1.a, b: "default".into() })
                }
                _ => Err(EngineError::Other("no".into())),
            }
        }
    }

    #[test]
    fn round_trip_and_upgrade() {
        let v = V2 { a: 1, b: "x".into() };
        assert_eq!(decode::<V2>(&encode(&v).unwrap()).unwrap(), v);
        let mut old = vec![1u8];
        old.extend_from_slice(br#"{"a":5}"#);
        assert_eq!(decode::<V2>(&old).unwrap(), V2 { a: 5, b: "default".into() });
    }

    #[test]
    fn newer_and_garbage_are_clear_errors() {
        let err = decode::<V2>(&[9, b'{', b'}']).unwrap_err().to_string();
        assert!(err.contains("newer homedeck"), "{err}");
        let err = decode::<V2>(&[]).unwrap_err().to_string();
        assert!(err.contains("empty value"), "{err}");
        let err = decode::<V2>(&[2, b'x']).unwrap_err().to_string();
        assert!(err.contains("thing"), "{err}");
    }
}
