//! `homedeck wled …` and `homedeck fpp …` arguments.

use clap::{Args, Subcommand};

/// How long and where an mDNS browse listens (WLED and FPP alike).
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    #[arg(long, default_value_t = 3)]
    pub seconds: u32,
    /// loopback, all, an IP address of this machine or an interface name [default: all]
    #[arg(long)]
    pub interface: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum WledCmd {
    /// Devices with their latest state (each is polled once)
    List,
    /// Look for WLED devices over mDNS
    Discover(DiscoverArgs),
    /// Add a device by address (host or host:port)
    Add {
        address: String,
        #[arg(long)]
        name: Option<String>,
        /// The site (home) it is at, e.g. cabin
        #[arg(long)]
        site: Option<String>,
    },
    Remove {
        device: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Full state of one device, with its effect and palette lists
    State { device: String },
    /// Change a device or group
    Set(Box<SetArgs>),
    /// List, apply, save and delete presets
    #[command(subcommand)]
    Preset(PresetCmd),
    /// List, start, stop and advance playlists
    #[command(subcommand)]
    Playlist(PlaylistCmd),
    /// Groups: act on several devices at once
    #[command(subcommand)]
    Group(GroupCmd),
    /// Cron schedules that apply a preset, playlist, on or off
    #[command(subcommand)]
    Schedule(ScheduleCmd),
    /// Fetch presets.json and cfg.json (printed, or written into --out DIR)
    Export {
        device: String,
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
    },
    /// Keep live connections, run schedules, and print state changes until Ctrl-C
    Watch,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// Device or group name, or site:NAME for every device at a site
    pub target: String,
    /// Turn on (the segment only, with --segment)
    #[arg(long, conflicts_with_all = ["off", "toggle"])]
    pub on: bool,
    /// Turn off
    #[arg(long, conflicts_with = "toggle")]
    pub off: bool,
    /// Toggle power
    #[arg(long)]
    pub toggle: bool,
    /// Brightness 0–255
    #[arg(long)]
    pub bri: Option<u8>,
    /// #rrggbb, r,g,b[,w] or red, orange, amber, yellow, green, cyan, blue, purple, pink, warm, white
    #[arg(long)]
    pub color: Option<String>,
    /// Effect name or id from the device's own list (`wled state`)
    #[arg(long)]
    pub effect: Option<String>,
    /// Palette name or id from the device's own list
    #[arg(long)]
    pub palette: Option<String>,
    /// Effect speed 0–255
    #[arg(long)]
    pub speed: Option<u8>,
    /// Effect intensity 0–255
    #[arg(long)]
    pub intensity: Option<u8>,
    /// Apply to this segment only
    #[arg(long)]
    pub segment: Option<u8>,
    /// Crossfade in tenths of a second
    #[arg(long)]
    pub transition: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum PresetCmd {
    List { device: String },
    Apply { target: String, preset: String },
    /// Save the current state as preset ID (1–250)
    Save { device: String, id: u8, name: String },
    Delete {
        device: String,
        id: u8,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlaylistCmd {
    List { device: String },
    Start { target: String, playlist: String },
    Stop { target: String },
    Next { target: String },
}

#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    List,
    /// Create or replace: MEMBERS is a comma-separated list of devices
    Set { name: String, members: String },
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    List,
    Add {
        name: String,
        /// Five cron fields: minute hour day-of-month month day-of-week
        #[arg(long)]
        cron: String,
        /// Device or group
        #[arg(long)]
        target: String,
        /// on, off, preset:ID_OR_NAME, playlist:ID_OR_NAME
        #[arg(long)]
        action: String,
        /// IANA time zone [default: this machine's]
        #[arg(long)]
        tz: Option<String>,
    },
    Remove { name: String },
    Enable { name: String },
    Disable { name: String },
    /// Clear the list of missed runs shown for a schedule
    Ack { name: String },
}

#[derive(Debug, Subcommand)]
pub enum FppCmd {
    /// Hosts with their latest status
    List,
    /// Look for Falcon Player hosts (FPP ≥ 10) over mDNS
    Discover(DiscoverArgs),
    Add {
        address: String,
        #[arg(long)]
        name: Option<String>,
        /// The site (home) it is at, e.g. cabin
        #[arg(long)]
        site: Option<String>,
    },
    Remove {
        host: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    Status { host: String },
    Playlists { host: String },
    Start {
        host: String,
        playlist: String,
        #[arg(long)]
        repeat: bool,
    },
    /// Stop now (default), --graceful, or --after-loop
    Stop {
        host: String,
        #[arg(long, conflicts_with = "after_loop")]
        graceful: bool,
        #[arg(long)]
        after_loop: bool,
    },
    Pause { host: String },
    Resume { host: String },
    Next { host: String },
    Prev { host: String },
    /// View and edit the host's schedule
    #[command(subcommand)]
    Schedule(FppScheduleCmd),
    /// Systems seen over MultiSync
    Multisync { host: String },
}

#[derive(Debug, Subcommand)]
pub enum FppScheduleCmd {
    Show { host: String },
    Add {
        host: String,
        /// One of the host's playlists (`homedeck fpp playlists HOST`)
        #[arg(long)]
        playlist: String,
        /// everyday, weekdays, weekends, sunday … saturday, or FPP's 0–15
        #[arg(long, default_value = "everyday")]
        day: String,
        /// HH:MM, or SunRise, SunSet, Dawn, Dusk
        #[arg(long)]
        start: String,
        /// HH:MM, or SunRise, SunSet, Dawn, Dusk
        #[arg(long)]
        end: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        start_date: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        end_date: Option<String>,
        /// Play once instead of repeating inside the window
        #[arg(long)]
        once: bool,
        /// graceful, hard or graceful_after_loop
        #[arg(long)]
        stop: Option<String>,
    },
    Remove {
        host: String,
        index: u32,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    Enable { host: String, index: u32 },
    Disable { host: String, index: u32 },
}

/// Which table row documents which subcommand (group, sub, command).
pub const DOCS: &[(&str, &str, &str)] = &[
    ("wled", "list", "wled_list"),
    ("wled", "discover", "wled_discover"),
    ("wled", "add", "wled_add"),
    ("wled", "remove", "wled_remove"),
    ("wled", "state", "wled_state"),
    ("wled", "set", "wled_set"),
    ("wled", "export", "wled_export"),
    ("wled", "watch", "lights_watch"),
    ("fpp", "list", "fpp_list"),
    ("fpp", "add", "fpp_add"),
    ("fpp", "remove", "fpp_remove"),
    ("fpp", "status", "fpp_status"),
    ("fpp", "playlists", "fpp_playlists"),
    ("fpp", "start", "fpp_start"),
    ("fpp", "stop", "fpp_stop"),
    ("fpp", "pause", "fpp_pause"),
    ("fpp", "resume", "fpp_resume"),
    ("fpp", "next", "fpp_next"),
    ("fpp", "prev", "fpp_prev"),
    ("fpp", "multisync", "fpp_multisync"),
];
