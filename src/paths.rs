//! Where homedeck keeps things. XDG by default; every location can be moved
//! (flags or environment) so tests and several instances never share state.

use anyhow::{Context, Result, anyhow};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    /// The sled db and (later) the default backup repository.
    pub data_dir: PathBuf,
    /// config.toml, keymap.toml, themes/.
    pub config_dir: PathBuf,
    /// Log files.
    pub state_dir: PathBuf,
}

impl Paths {
    /// Resolve from explicit overrides (flags, which clap also fills from
    /// HOMEDECK_DATA_DIR / HOMEDECK_CONFIG_DIR) falling back to XDG.
    pub fn resolve(data_dir: Option<PathBuf>, config_dir: Option<PathBuf>) -> Result<Self> {
        let dirs = directories::ProjectDirs::from("", "", "homedeck");
        let xdg = |pick: fn(&directories::ProjectDirs) -> PathBuf| dirs.as_ref().map(pick);
        let data_dir = data_dir
            .or_else(|| xdg(|d| d.data_dir().to_path_buf()))
            .ok_or_else(|| anyhow!("cannot find a home directory for the data dir: pass --data-dir or set HOMEDECK_DATA_DIR"))?;
        let config_dir = config_dir
            .or_else(|| xdg(|d| d.config_dir().to_path_buf()))
            .ok_or_else(|| anyhow!("cannot find a home directory for config: pass --config-dir or set HOMEDECK_CONFIG_DIR"))?;
        let state_dir = std::env::var_os("HOMEDECK_STATE_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().and_then(|d| d.state_dir().map(|p| p.to_path_buf())))
            .unwrap_or_else(|| data_dir.join("log"));
        Ok(Paths { data_dir, config_dir, state_dir })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }

    /// Create the three dirs, each 0700 (their parents as the umask says).
    /// Existing dirs keep their modes: the binary then refuses a data dir
    /// others can read (`doctor::refuse_insecure`) rather than changing it.
    pub fn ensure(&self) -> Result<()> {
        for d in [&self.data_dir, &self.config_dir, &self.state_dir] {
            crate::engine::views::doctor::create_private_dir(d).with_context(|| format!("cannot create {}", d.display()))?;
        }
        Ok(())
    }
}
