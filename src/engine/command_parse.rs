//! Build a [`Command`] from a name and `key=value` words — the form people
//! type into the palette and `homedeck run`. The table says which arguments
//! exist and which are numbers; serde does the rest and its error names the
//! field that was wrong.

use super::command::{COMMANDS, Command, spec};
use super::command_table::CommandSpec;
use super::error::{EngineError, EngineResult};
use serde_json::{Map, Value};

/// Split `a=1 b="two words" c='x'` into words, honouring quotes; inside
/// double quotes a backslash escapes the next character (`"say \"hi\""`).
pub fn split_words(line: &str) -> EngineResult<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => match chars.next() {
                Some(n) => cur.push(n),
                None => return Err(EngineError::invalid("arguments", line, "something after the final backslash")),
            },
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if quote.is_some() {
        return Err(EngineError::invalid("arguments", line, "matching quotes (a quote is not closed)"));
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    Ok(words)
}

/// Check `key=value` words against a command's arguments and turn them into
/// the JSON object serde will read (`{"command": name, key: value …}`).
/// Secret arguments are refused here: they are prompted, never typed.
pub fn args_json(spec: &CommandSpec, words: &[String]) -> EngineResult<Map<String, Value>> {
    let mut obj = Map::new();
    obj.insert("command".into(), Value::String(spec.name.into()));
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(EngineError::invalid("argument", w, &format!("key=value (usage: {})", spec.usage())));
        };
        let Some(arg) = spec.args.iter().find(|a| a.name == k) else {
            let known: Vec<&str> = spec.args.iter().map(|a| a.name).collect();
            return Err(EngineError::invalid("argument name", k, &format!("one of: {}", known.join(", "))));
        };
        if arg.secret() {
            return Err(EngineError::invalid(
                "argument",
                k,
                "to be left out: secret values are asked for in a masked prompt, never typed on a command line",
            ));
        }
        let value = if arg.boolean() {
            match v {
                "true" | "yes" | "1" => Value::Bool(true),
                "false" | "no" | "0" => Value::Bool(false),
                _ => return Err(EngineError::invalid(k, v, "true or false")),
            }
        } else if arg.numeric() {
            let n: u64 = v.parse().map_err(|_| EngineError::invalid(k, v, "a whole number, 0 or more"))?;
            Value::from(n)
        } else {
            Value::String(v.to_string())
        };
        obj.insert(k.to_string(), value);
    }
    Ok(obj)
}

/// Finish a command from [`args_json`]'s object plus its secret arguments.
/// serde's error names the field that is missing or wrong.
pub fn build(mut obj: Map<String, Value>, secrets: Vec<(String, String)>) -> EngineResult<Command> {
    let usage = obj.get("command").and_then(Value::as_str).and_then(spec).map(|s| s.usage()).unwrap_or_default();
    for (k, v) in secrets {
        obj.insert(k, Value::String(v));
    }
    serde_json::from_value(Value::Object(obj))
        .map_err(|e| EngineError::invalid("arguments", e.to_string(), &format!("usage: {usage}")))
}

/// `name` plus `key=value` words → a command. Secret arguments may be
/// supplied separately in `secrets` (they are never typed as words).
pub fn parse(name: &str, words: &[String], secrets: Vec<(String, String)>) -> EngineResult<Command> {
    let Some(spec) = spec(name) else {
        let names: Vec<&str> = COMMANDS.iter().map(|s| s.name).collect();
        return Err(EngineError::invalid("command", name, &format!("one of: {}", names.join(", "))));
    };
    build(args_json(spec, words)?, secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        split_words(s).unwrap()
    }

    #[test]
    fn words_and_quotes() {
        assert_eq!(w(r#"a=1 b="two words"  c='x y' d="""#), vec!["a=1", "b=two words", "c=x y", "d="]);
        assert!(split_words("a=\"open").is_err());
        assert_eq!(w(r#"note="say \"hi\"" x"#), vec![r#"note=say "hi""#, "x"]);
    }

    #[test]
    fn builds_commands() {
        let c = parse("secret_set_rotation", &w("name=ha days=30"), vec![]).unwrap();
        assert_eq!(c.name(), "secret_set_rotation");
        let c = parse("audit_search", &w("category=vault limit=5"), vec![]).unwrap();
        assert_eq!(c.name(), "audit_search");
        let c = parse("secret_add", &w("name=x kind=token"), vec![("value".into(), "v".into())]).unwrap();
        assert_eq!(c.name(), "secret_add");
    }

    #[test]
    fn errors_name_the_problem() {
        let e = parse("nope", &[], vec![]).unwrap_err().to_string();
        assert!(e.contains("\"nope\"") && e.contains("vault_status"), "{e}");
        let e = parse("secret_show", &w("nam=x"), vec![]).unwrap_err().to_string();
        assert!(e.contains("\"nam\"") && e.contains("name"), "{e}");
        let e = parse("secret_set_rotation", &w("name=x days=soon"), vec![]).unwrap_err().to_string();
        assert!(e.contains("\"soon\""), "{e}");
        let e = parse("secret_add", &w("name=x kind=tokn"), vec![("value".into(), "v".into())]).unwrap_err().to_string();
        assert!(e.contains("tokn"), "{e}");
        let e = parse("secret_add", &w("name=x kind=token value=oops"), vec![]).unwrap_err().to_string();
        assert!(e.contains("masked prompt"), "{e}");
        let e = parse("secret_show", &[], vec![]).unwrap_err().to_string();
        assert!(e.contains("name"), "{e}");
    }
}
