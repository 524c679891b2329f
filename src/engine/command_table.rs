//! The machinery behind the one table of verbs: a macro that declares the
//! [`Command`](super::command::Command) enum and, from the same text, the
//! static [`COMMANDS`](super::command::COMMANDS) table that the palette, the
//! help screen, the CLI and (later) the AI tool list are generated from.
//! Declaring both at once means they cannot drift apart.

use serde::{Deserialize, Serialize};

/// What a command may do, which decides confirmation and read-only refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Looks, changes nothing stored (may still be audited, like a reveal).
    Read,
    /// Changes state; refused under --readonly; always audited.
    Write,
    /// Changes state in a way that cannot be undone; front ends confirm first.
    Dangerous,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Dangerous => "dangerous",
        }
    }

    pub fn changes_state(self) -> bool {
        !matches!(self, Permission::Read)
    }
}

/// One argument of a command, as the palette and the generic CLI see it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArgSpec {
    pub name: &'static str,
    /// The Rust type as written in the table, e.g. `Option<u32>`.
    pub ty: &'static str,
}

impl ArgSpec {
    pub fn required(&self) -> bool {
        !self.ty.starts_with("Option")
    }

    /// Secret arguments are never typed into the palette or argv; front ends
    /// ask for them with a masked prompt instead.
    pub fn secret(&self) -> bool {
        self.ty.contains("SecretValue")
    }

    /// Flags take true/false (also yes/no, 1/0) and become JSON booleans.
    pub fn boolean(&self) -> bool {
        self.ty.contains("bool")
    }

    /// Numbers are passed to serde as JSON numbers, everything else as strings.
    pub fn numeric(&self) -> bool {
        ["u8", "u16", "u32", "u64", "usize", "i64"].iter().any(|t| self.ty.contains(t))
    }
}

/// One row of the verb table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CommandSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub class: Permission,
    /// The table section it is declared in (`Servers`, `Ha` …): its toolset.
    pub domain: &'static str,
    /// Reads such as a reveal or an unlock are audited too.
    pub audited: bool,
    pub args: &'static [ArgSpec],
}

impl CommandSpec {
    pub fn summary(&self) -> &'static str {
        self.doc.trim()
    }

    /// `secret_add name kind [rotation_days] <value>` style usage line.
    pub fn usage(&self) -> String {
        let mut out = self.name.to_string();
        for a in self.args {
            out.push(' ');
            match (a.required(), a.secret()) {
                (_, true) => out.push_str(&format!("<{}: prompted>", a.name)),
                (true, false) => out.push_str(&format!("{}=…", a.name)),
                (false, false) => out.push_str(&format!("[{}=…]", a.name)),
            }
        }
        out
    }
}

/// Declares, from one text, `Command` (flat: its serde shape is one tagged
/// object per verb), `Command::name`, the `COMMANDS` table, and one enum per
/// domain section (`VaultCommand` …) with [`Command::route`] to convert.
/// Dispatch matches `Routed` and hands each domain its own enum, which the
/// domain's `route` matches exhaustively: no verb can fall through a wildcard.
macro_rules! commands {
    ($(
        $(#[$dmeta:meta])*
        $domain:ident($dom_enum:ident) {
            $(
                #[doc = $doc:literal]
                $variant:ident = $name:literal, $class:ident, audited: $aud:literal,
                { $( $field:ident : $ty:ty ),* $(,)? }
            );* $(;)?
        }
    )*) => {
        /// Every verb of homedeck. Front ends build one of these and hand it to
        /// [`EngineHandle::execute`](crate::engine::EngineHandle::execute).
        #[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(tag = "command", deny_unknown_fields)]
        pub enum Command {
            $($(
                #[doc = $doc]
                #[serde(rename = $name)]
                $variant { $( $field: $ty ),* },
            )*)*
        }

        $(
            $(#[$dmeta])*
            #[derive(Debug, Clone)]
            pub enum $dom_enum {
                $(
                    #[doc = $doc]
                    $variant { $( $field: $ty ),* },
                )*
            }
        )*

        /// A command handed to the domain that owns it.
        #[derive(Debug, Clone)]
        pub enum Routed {
            $( $domain($dom_enum), )*
        }

        impl Command {
            /// The stable snake_case name (also the audit `action`).
            pub fn name(&self) -> &'static str {
                match self { $($( Command::$variant { .. } => $name, )*)* }
            }

            /// The same verb as its domain's own enum.
            pub fn route(self) -> Routed {
                match self {
                    $($(
                        Command::$variant { $( $field ),* } => Routed::$domain($dom_enum::$variant { $( $field ),* }),
                    )*)*
                }
            }
        }

        /// The one table of verbs, in declaration order.
        pub static COMMANDS: &[$crate::engine::command_table::CommandSpec] = &[
            $($( $crate::engine::command_table::CommandSpec {
                name: $name,
                doc: $doc,
                class: $crate::engine::command_table::Permission::$class,
                domain: stringify!($domain),
                audited: $aud,
                args: &[ $( $crate::engine::command_table::ArgSpec {
                    name: stringify!($field),
                    ty: stringify!($ty),
                } ),* ],
            }, )*)*
        ];
    };
}

pub(crate) use commands;
