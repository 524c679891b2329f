//! TUI front end (being built on the `tui` branch).
use crate::config::Config;
use crate::engine::EngineHandle;
use crate::paths::Paths;

pub async fn run(_engine: EngineHandle, _config: &Config, _paths: &Paths) -> anyhow::Result<()> {
    anyhow::bail!("the console is not in this build yet")
}
