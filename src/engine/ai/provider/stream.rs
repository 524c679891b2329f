//! A chat-completions reply → text and tool calls: the SSE chunks of a
//! streamed reply (each `data:` a JSON delta, `[DONE]` at the end; tool
//! calls arrive in pieces by `index`), or one plain JSON reply.

use super::error::ProviderError;
use crate::engine::ai::model::ToolCall;
use serde_json::Value;

/// What a reply added up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assembled {
    pub text: String,
    pub calls: Vec<ToolCall>,
    /// `[DONE]` or a `finish_reason` was seen.
    pub finished: bool,
}

impl Assembled {
    /// Take one SSE `data:` payload; returns the text it adds, if any.
    pub fn push_data(&mut self, data: &str) -> Result<Option<String>, ProviderError> {
        let data = data.trim();
        if data == "[DONE]" {
            self.finished = true;
            return Ok(None);
        }
        if data.is_empty() {
            return Ok(None);
        }
        let v: Value = serde_json::from_str(data).map_err(|e| ProviderError::Protocol(format!("a stream chunk is not JSON ({e}): {}", data.chars().take(120).collect::<String>())))?;
        if let Some(err) = v.get("error") {
            return Err(ProviderError::Protocol(format!("the stream ended with an error: {}", super::error::body_message(&err.to_string()))));
        }
        let Some(choice) = v.pointer("/choices/0") else { return Ok(None) };
        if choice.get("finish_reason").is_some_and(|r| !r.is_null()) {
            self.finished = true;
        }
        let delta = choice.get("delta").or_else(|| choice.get("message")).unwrap_or(&Value::Null);
        let mut added = None;
        if let Some(t) = delta.get("content").and_then(Value::as_str).filter(|t| !t.is_empty()) {
            self.text.push_str(t);
            added = Some(t.to_string());
        }
        if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
            for (pos, c) in calls.iter().enumerate() {
                let index = c.get("index").and_then(Value::as_u64).map(|i| i as usize).unwrap_or(pos);
                while self.calls.len() <= index {
                    self.calls.push(ToolCall { id: String::new(), name: String::new(), arguments: String::new() });
                }
                let slot = &mut self.calls[index];
                if let Some(id) = c.get("id").and_then(Value::as_str) {
                    slot.id = id.to_string();
                }
                if let Some(n) = c.pointer("/function/name").and_then(Value::as_str) {
                    slot.name.push_str(n);
                }
                match c.pointer("/function/arguments") {
                    Some(Value::String(a)) => slot.arguments.push_str(a),
                    // Some servers send the arguments as an object, not a string.
                    Some(obj @ Value::Object(_)) => slot.arguments.push_str(&obj.to_string()),
                    _ => {}
                }
            }
        }
        Ok(added)
    }

    /// Tool calls with an id each (servers that give none get `call_N`).
    pub fn finish(mut self) -> Assembled {
        for (i, c) in self.calls.iter_mut().enumerate() {
            if c.id.is_empty() {
                c.id = format!("call_{i}");
            }
        }
        self.calls.retain(|c| !c.name.is_empty());
        self
    }
}

/// A non-streamed reply's JSON.
pub fn from_json(body: &str) -> Result<Assembled, ProviderError> {
    let mut a = Assembled::default();
    a.push_data(body)?;
    a.finished = true;
    Ok(a.finish())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn deltas_add_up_to_text_and_calls() {
        let mut a = Assembled::default();
        let chunks = [
            r#"{"choices":[{"delta":{"role":"assistant","content":"Hel"}}]}"#,
            r#"{"choices":[{"delta":{"content":"lo"}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"wled_","arguments":"{\"tar"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"set","arguments":"get\":\"porch\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ];
        let mut seen = String::new();
        for c in chunks {
            if let Some(t) = a.push_data(c).unwrap() {
                seen.push_str(&t);
            }
        }
        let a = a.finish();
        assert_eq!((seen.as_str(), a.text.as_str(), a.finished), ("Hello", "Hello", true));
        assert_eq!(a.calls, vec![ToolCall { id: "call_a".into(), name: "wled_set".into(), arguments: r#"{"target":"porch"}"#.into() }]);
    }

    #[test]
    fn plain_replies_errors_and_garbage() {
        let a = from_json(r#"{"choices":[{"message":{"content":null,"tool_calls":[{"function":{"name":"server_list","arguments":{}}}]},"finish_reason":"tool_calls"}]}"#).unwrap();
        assert_eq!(a.calls[0].id, "call_0");
        assert_eq!(a.calls[0].arguments, "{}");
        assert!(Assembled::default().push_data("{not json").is_err());
        let e = Assembled::default().push_data(r#"{"error":{"message":"overloaded"}}"#).unwrap_err();
        assert!(e.to_string().contains("overloaded"));
    }
}
