//! Toolsets: tools grouped by the domain their verb belongs to. MCP clients
//! load a limited number of tools (often 50–100), so a session offers a
//! selection: the default set, or the toolsets named per token or per
//! invocation (`homedeck mcp --toolsets servers,lights`).

use crate::engine::command::COMMANDS;
use crate::engine::error::EngineError;

/// What a session offers when nothing is named: looking after servers,
/// deployments and Home Assistant, and the audit trail (39 tools; clients
/// load 50–100, so the default stays at most 40, checked by a unit test).
/// `lights` alone is 39, `backup` 23: name them (`--toolsets default,lights`).
pub const DEFAULT_TOOLSETS: &[&str] = &["servers", "deploy", "ha", "audit"];

/// Every toolset, in command-table order: each domain of the table, lowercased.
pub fn toolset_names() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in COMMANDS.iter().filter(|s| super::is_tool(s)) {
        let t = s.domain.to_ascii_lowercase();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Which toolsets a session offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolsetSelection(Vec<String>);

impl Default for ToolsetSelection {
    fn default() -> Self {
        ToolsetSelection(DEFAULT_TOOLSETS.iter().map(|s| s.to_string()).collect())
    }
}

impl ToolsetSelection {
    /// `servers,lights`, `default`, `all`, or a mix (`default,lights`).
    /// An unknown name is refused with the list of known ones.
    pub fn parse(list: &str) -> Result<Self, EngineError> {
        let known = toolset_names();
        let mut out: Vec<String> = Vec::new();
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let add: Vec<String> = match word {
                "all" => known.clone(),
                "default" => DEFAULT_TOOLSETS.iter().map(|s| s.to_string()).collect(),
                w if known.iter().any(|k| k == w) => vec![w.to_string()],
                w => {
                    return Err(EngineError::Invalid {
                        field: "toolset".into(),
                        value: w.into(),
                        expected: format!("default, all or one of {}", known.join(", ")),
                    });
                }
            };
            for a in add {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        if out.is_empty() {
            return Err(EngineError::Invalid { field: "toolsets".into(), value: list.into(), expected: "at least one toolset name".into() });
        }
        Ok(ToolsetSelection(out))
    }

    pub fn contains(&self, toolset: &str) -> bool {
        self.0.iter().any(|t| t == toolset)
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}
