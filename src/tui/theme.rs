//! Colours as data. Every colour has a *meaning* (`warn`, `selection_bg` …)
//! rather than a place on screen, so a theme file stays short and a pane
//! never hard-codes a colour. Built-in themes are embedded with
//! `include_str!`; a user file `<config_dir>/themes/<name>.toml` may override
//! any subset and `inherits` another theme (helix-style).

use anyhow::{Result, anyhow, bail};
use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

/// Built-in themes: name → TOML text.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("16color", include_str!("../../themes/16color.toml")),
];

/// How deep `inherits` may chain before we call it a cycle.
const MAX_INHERIT: usize = 8;

macro_rules! theme_struct {
    ($($field:ident),* $(,)?) => {
        /// The resolved colours of one theme.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            $(pub $field: Color,)*
        }

        impl Theme {
            /// Every key a theme file may set (besides `inherits`).
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn slot(&mut self, key: &str) -> Option<&mut Color> {
                match key {
                    $(stringify!($field) => Some(&mut self.$field),)*
                    _ => None,
                }
            }

            /// All colours, for checks such as "16-colour themes use only named colours".
            pub fn colors(&self) -> Vec<(&'static str, Color)> {
                vec![$((stringify!($field), self.$field)),*]
            }

            fn blank(name: &str) -> Self {
                Theme { name: name.to_string(), $($field: Color::Reset,)* }
            }
        }
    };
}

theme_struct!(
    fg,
    bg,
    muted,
    title,
    accent,
    selection_fg,
    selection_bg,
    border,
    border_focus,
    ok,
    warn,
    error,
    critical,
    revealed,
    input_bg,
);

impl Default for Theme {
    fn default() -> Self {
        // The embedded dark theme always parses (a unit test checks it); the
        // blank fallback only satisfies the types.
        Theme::builtin("dark").unwrap_or_else(|_| Theme::blank("dark"))
    }
}

impl Theme {
    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Result<Theme> {
        let text = builtin_text(name).ok_or_else(|| unknown(name, None))?;
        let mut theme = Theme::blank(name);
        apply(&mut theme, &format!("built-in theme {name}"), text)?;
        Ok(theme)
    }

    /// Resolve `name`: a user file in `themes_dir` wins, falling back to the
    /// built-in of that name; a user file without `inherits` builds on the
    /// built-in of the same name, or on `dark`.
    pub fn load(name: &str, themes_dir: &Path) -> Result<Theme> {
        let mut chain: Vec<(String, String)> = Vec::new(); // (origin, text), most derived first
        let mut current = name.to_string();
        loop {
            if chain.len() > MAX_INHERIT {
                bail!("theme {name:?}: `inherits` chain is longer than {MAX_INHERIT} (a cycle?)");
            }
            let user = themes_dir.join(format!("{current}.toml"));
            let user_text = if user.is_file() {
                Some(std::fs::read_to_string(&user).map_err(|e| anyhow!("cannot read {}: {e}", user.display()))?)
            } else {
                None
            };
            let already_user = chain.iter().any(|(o, _)| o == &user.display().to_string());
            match user_text {
                Some(text) if !already_user => {
                    let parent = inherits(&user.display().to_string(), &text)?;
                    chain.push((user.display().to_string(), text));
                    match parent {
                        Some(p) => current = p,
                        None if builtin_text(&current).is_some() => {
                            // Override a subset of the built-in of the same name.
                            let t = builtin_text(&current).unwrap_or_default();
                            chain.push((format!("built-in theme {current}"), t.to_string()));
                            break;
                        }
                        None => current = "dark".into(),
                    }
                }
                _ => {
                    let text = builtin_text(&current).ok_or_else(|| unknown(&current, Some(themes_dir)))?;
                    chain.push((format!("built-in theme {current}"), text.to_string()));
                    break;
                }
            }
        }
        let mut theme = Theme::blank(name);
        for (origin, text) in chain.iter().rev() {
            apply(&mut theme, origin, text)?;
        }
        Ok(theme)
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }
    pub fn fg(&self, c: Color) -> Style {
        Style::default().fg(c)
    }
    pub fn muted(&self) -> Style {
        self.fg(self.muted)
    }
    pub fn title(&self) -> Style {
        self.fg(self.title).add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::default().fg(self.selection_fg).bg(self.selection_bg).add_modifier(Modifier::BOLD)
    }
    pub fn border(&self, focused: bool) -> Style {
        self.fg(if focused { self.border_focus } else { self.border })
    }
    pub fn input(&self) -> Style {
        Style::default().fg(self.fg).bg(self.input_bg)
    }
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn unknown(name: &str, dir: Option<&Path>) -> anyhow::Error {
    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    match dir {
        Some(d) => anyhow!(
            "unknown theme {name:?}: expected one of {} or a file {}",
            names.join(", "),
            d.join(format!("{name}.toml")).display()
        ),
        None => anyhow!("unknown theme {name:?}: expected one of {}", names.join(", ")),
    }
}

fn parse_table(origin: &str, text: &str) -> Result<BTreeMap<String, toml::Value>> {
    toml::from_str(text).map_err(|e| anyhow!("{origin}: {}", e.to_string().trim()))
}

fn inherits(origin: &str, text: &str) -> Result<Option<String>> {
    match parse_table(origin, text)?.get("inherits") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => bail!("{origin}: inherits = {v} — expected a theme name in quotes"),
    }
}

/// Lay one file's colours over `theme`, naming the file, key and value on error.
fn apply(theme: &mut Theme, origin: &str, text: &str) -> Result<()> {
    for (key, value) in parse_table(origin, text)? {
        if key == "inherits" {
            continue;
        }
        let Some(slot) = theme.slot(&key) else {
            bail!("{origin}: unknown key {key:?} — expected one of inherits, {}", Theme::KEYS.join(", "));
        };
        let toml::Value::String(s) = &value else {
            bail!("{origin}: {key} = {value} — expected a colour in quotes such as \"red\" or \"#1a1b26\"");
        };
        *slot = Color::from_str(s).map_err(|_| {
            anyhow!("{origin}: {key} = {s:?} is not a colour — expected a name (red, lightblue, reset …), \"#rrggbb\" or 0-255")
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_set_every_key() {
        for (name, text) in BUILTIN {
            Theme::builtin(name).unwrap();
            let table = parse_table(name, text).unwrap();
            for key in Theme::KEYS {
                assert!(table.contains_key(*key), "{name} lacks {key}");
            }
        }
    }

    #[test]
    fn sixteen_colour_theme_uses_only_named_colours() {
        for (key, c) in Theme::builtin("16color").unwrap().colors() {
            assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_) | Color::Reset), "{key} = {c:?}");
        }
    }

    #[test]
    fn user_file_overrides_a_subset_and_inherits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.toml"), "inherits = \"16color\"\nwarn = \"#010203\"\n").unwrap();
        std::fs::write(dir.path().join("dark.toml"), "error = \"red\"\n").unwrap();
        let t = Theme::load("mine", dir.path()).unwrap();
        assert_eq!(t.warn, Color::Rgb(1, 2, 3));
        assert_eq!(t.ok, Color::Green);
        let d = Theme::load("dark", dir.path()).unwrap();
        assert_eq!(d.error, Color::Red);
        assert_eq!(d.fg, Theme::builtin("dark").unwrap().fg);
    }

    #[test]
    fn errors_name_file_key_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let e = Theme::load("nope", dir.path()).unwrap_err().to_string();
        assert!(e.contains("\"nope\"") && e.contains("16color"), "{e}");
        std::fs::write(dir.path().join("bad.toml"), "warn = \"blurple\"\n").unwrap();
        let e = Theme::load("bad", dir.path()).unwrap_err().to_string();
        assert!(e.contains("bad.toml") && e.contains("warn") && e.contains("blurple"), "{e}");
        std::fs::write(dir.path().join("typo.toml"), "wran = \"red\"\n").unwrap();
        let e = Theme::load("typo", dir.path()).unwrap_err().to_string();
        assert!(e.contains("typo.toml") && e.contains("wran"), "{e}");
        std::fs::write(dir.path().join("loop.toml"), "inherits = \"loop2\"\n").unwrap();
        std::fs::write(dir.path().join("loop2.toml"), "inherits = \"loop\"\n").unwrap();
        assert!(Theme::load("loop", dir.path()).is_err());
    }
}
