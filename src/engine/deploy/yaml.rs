//! YAML syntax check before a config file is uploaded: a file Home Assistant
//! cannot parse never reaches the server. HA's own tags (`!include`,
//! `!secret`, `!env_var`, `!input` …) are ordinary YAML tags and pass; what
//! they mean is checked later by HA's config check.

use serde::{Deserialize, Serialize};
use yaml_rust2::YamlLoader;

/// One problem in a config file, with the line it is on when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigProblem {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

/// Check that `text` parses as YAML; the error names line and column
/// (1-based) and what the parser expected.
pub fn check(text: &str) -> Result<(), ConfigProblem> {
    match YamlLoader::load_from_str(text) {
        Ok(_) => Ok(()),
        Err(e) => {
            let m = e.marker();
            Err(ConfigProblem {
                line: u32::try_from(m.line()).ok(),
                column: u32::try_from(m.col() + 1).ok(),
                message: format!("YAML syntax error: {}", e.info()),
            })
        }
    }
}

/// Is this path one the syntax check applies to?
pub fn is_yaml(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".yaml") || p.ends_with(".yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ha_tags_pass_and_errors_name_the_line() {
        check("homeassistant:\n  name: x\nautomation: !include automations.yaml\nhttp:\n  api_password: !secret pw\n").unwrap();
        check("").unwrap();
        let e = check("http:\n  server_port: 8123\n bad: [1, 2\n").unwrap_err();
        assert!(e.line.is_some_and(|l| (2..=4).contains(&l)), "{e:?}");
        assert!(e.message.starts_with("YAML syntax error"), "{e:?}");
        let e = check("a: 1\nb: \"unclosed\n").unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        let e = check("a: 1\nb: 2\n  c: 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(4)), "{e:?}");
        assert!(e.message.contains("mapping values are not allowed"), "{e:?}");
        assert!(check("key: value\n\tindented: tab\n").is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed = 7u64;
        for _ in 0..300 {
            let text: String = (0..64)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let alphabet = b":-[]{}'\"!&*#|> \n\tab1";
                    alphabet[(seed >> 33) as usize % alphabet.len()] as char
                })
                .collect();
            let _ = check(&text);
        }
        assert!(is_yaml("configuration.YAML") && is_yaml("a/b.yml") && !is_yaml("secrets.txt"));
    }
}
