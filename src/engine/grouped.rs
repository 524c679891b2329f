//! `Outcome` and `Event` are grouped by domain (`Outcome::Lights(LightsOutcome)`)
//! so a front end has one arm per domain and each domain's renderer matches
//! its own enum exhaustively: a new variant cannot be routed to the wrong
//! place and dropped by a wildcard.
//!
//! On the wire (the daemon socket, `--json`, `events --follow`) the grouping
//! is invisible: a grouped value serialises exactly as its inner,
//! internally tagged enum (`{"outcome": "wled_devices", …}`), which keeps the
//! JSON shapes scripts already read. Reading one back looks at the tag and
//! asks each group in turn; a group that does not know the tag says "unknown
//! variant" and the next is asked, any other error (a bad field) is the
//! answer, so the message names the field that was wrong.

/// Declares a grouped enum, its `From` conversions and its tag-preserving serde.
macro_rules! grouped {
    (
        $(#[$meta:meta])*
        pub enum $name:ident (tag = $tag:literal, what = $what:literal) {
            $( $(#[$vmeta:meta])* $var:ident($ty:ty) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub enum $name {
            $( $(#[$vmeta])* $var($ty) ),*
        }

        $(
            impl From<$ty> for $name {
                fn from(v: $ty) -> Self {
                    $name::$var(v)
                }
            }
        )*

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( $name::$var(v) => v.serialize(s) ),*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                let value = serde_json::Value::deserialize(d)?;
                let Some(tag) = value.get($tag).and_then(|t| t.as_str()) else {
                    return Err(D::Error::custom(format!(
                        "expected {} object with a string {:?} field naming it, got {}",
                        $what, $tag, $crate::engine::grouped::excerpt(&value)
                    )));
                };
                $(
                    match <$ty as serde::Deserialize>::deserialize(&value) {
                        Ok(v) => return Ok($name::$var(v)),
                        Err(e) if !$crate::engine::grouped::unknown_variant(&e) => {
                            return Err(D::Error::custom(format!("{} {:?}: {}", $what, tag, e)));
                        }
                        Err(_) => {}
                    }
                )*
                Err(D::Error::custom(format!("{} of unknown kind {:?}", $what, tag)))
            }
        }
    };
}

pub(crate) use grouped;

/// serde's message when an internally tagged enum does not know the tag.
pub(crate) fn unknown_variant(e: &serde_json::Error) -> bool {
    e.to_string().starts_with("unknown variant")
}

/// The start of a value for an error message (a hostile peer may send megabytes).
pub(crate) fn excerpt(value: &serde_json::Value) -> String {
    let mut s = value.to_string();
    if s.len() > 80 {
        let mut end = 80;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::engine::{Event, GeneralEvent, LightsEvent, Outcome, VaultEvent, VaultOutcome};

    #[test]
    fn grouping_is_invisible_on_the_wire() {
        let done = serde_json::to_value(Outcome::done("ok")).unwrap();
        assert_eq!(done, serde_json::json!({"outcome": "done", "message": "ok"}));
        let unlocked = serde_json::to_value(Event::Vault(VaultEvent::VaultUnlocked)).unwrap();
        assert_eq!(unlocked, serde_json::json!({"type": "vault_unlocked"}));
        let notice = serde_json::to_string(&Event::General(GeneralEvent::Notice { text: "hi".into() })).unwrap();
        assert_eq!(notice, r#"{"type":"notice","text":"hi"}"#);
    }

    #[test]
    fn reading_back_finds_the_right_group() {
        let e: Event = serde_json::from_str(r#"{"type":"lights_schedule_ran","schedule":"porch","ok":true,"message":"m"}"#).unwrap();
        assert!(matches!(e, Event::Lights(LightsEvent::LightsScheduleRan { ok: true, .. })));
        let o: Outcome = serde_json::from_str(r#"{"outcome":"secrets","secrets":[]}"#).unwrap();
        assert!(matches!(o, Outcome::Vault(VaultOutcome::Secrets { .. })));
        let o: Outcome = serde_json::from_str(r#"{"outcome":"done","message":"x"}"#).unwrap();
        assert_eq!(o.summary(), "x");
    }

    #[test]
    fn errors_name_the_bad_value() {
        let unknown = serde_json::from_str::<Event>(r#"{"type":"warp_drive"}"#).unwrap_err().to_string();
        assert_eq!(unknown, "an event of unknown kind \"warp_drive\"");
        let bad_field = serde_json::from_str::<Event>(r#"{"type":"lights_schedule_ran","schedule":"p","ok":"yes","message":"m"}"#)
            .unwrap_err()
            .to_string();
        assert!(bad_field.contains("lights_schedule_ran") && bad_field.contains("invalid type"), "{bad_field}");
        let untagged = serde_json::from_str::<Outcome>(r#"[1,2,3]"#).unwrap_err().to_string();
        assert!(untagged.contains("\"outcome\"") && untagged.contains("[1,2,3]"), "{untagged}");
    }
}
