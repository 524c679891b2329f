//! `homedeck esphome …` arguments.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum EsphomeCmd {
    /// Browse mDNS (_esphomelib._tcp) on the configured interfaces and remember what answers
    Discover {
        /// How long to listen
        #[arg(long, default_value_t = 3)]
        seconds: u32,
    },
    /// Known devices: address, version, platform, last seen, online
    List,
    /// Add a device by address (secrets are vault secret names, never values)
    Add(AddArgs),
    /// Forget a device
    Remove {
        name: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Device info and entities over the native API
    Info { name: String },
    /// Stream logs of one or more devices until Ctrl-C (merged, with a device column)
    Logs(LogsArgs),
    /// Firmware registry: import and list .bin images
    #[command(subcommand)]
    Firmware(FirmwareCmd),
    /// Flash one device over the air and confirm it comes back with the new version
    Ota {
        device: String,
        /// Version label or SHA-256 prefix from `esphome firmware list`
        firmware: String,
        /// Seconds to wait for the device to come back with the new version
        #[arg(long)]
        confirm_secs: Option<u32>,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Flash many devices: named ones, every outdated one, or every online one
    OtaBulk(OtaBulkArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The device's name (esphome: name: in its YAML)
    pub name: String,
    /// Host name or IP address
    pub host: String,
    /// Native API port
    #[arg(long, default_value_t = 6053)]
    pub port: u16,
    /// Vault secret holding the API encryption key (base64)
    #[arg(long)]
    pub key_secret: Option<String>,
    /// espota2 port [default: the platform's]
    #[arg(long)]
    pub ota_port: Option<u16>,
    /// Vault secret holding the OTA password
    #[arg(long)]
    pub ota_password_secret: Option<String>,
    /// ESP32, ESP8266, RP2040, BK72XX, RTL87XX, LN882X
    #[arg(long)]
    pub platform: Option<String>,
    /// The site (home) the device is at, e.g. cabin
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[arg(required = true)]
    pub devices: Vec<String>,
    /// error, warn, info, config, debug, verbose, very_verbose
    #[arg(long, default_value = "debug")]
    pub level: String,
    /// Stop after this many seconds
    #[arg(long)]
    pub seconds: Option<u64>,
    /// Stop after this many lines
    #[arg(long)]
    pub lines: Option<u64>,
    /// Keep ESPHome's colour escapes even when not on a terminal
    #[arg(long)]
    pub color: bool,
}

#[derive(Debug, Subcommand)]
pub enum FirmwareCmd {
    /// Copy a .bin into the registry with its SHA-256
    Import {
        path: String,
        /// Version label the device will report after the update
        #[arg(long)]
        version: String,
        /// ESP32, ESP8266, RP2040, BK72XX, RTL87XX, LN882X
        #[arg(long)]
        platform: String,
    },
    List,
}

#[derive(Debug, Args)]
pub struct OtaBulkArgs {
    /// Version label or SHA-256 prefix
    pub firmware: String,
    /// Comma-separated device names, or site:NAME for every device at a site
    #[arg(long, conflicts_with_all = ["outdated", "online"], required_unless_present_any = ["outdated", "online"])]
    pub devices: Option<String>,
    /// Every device of the firmware's platform not on its version
    #[arg(long, conflicts_with = "online")]
    pub outdated: bool,
    /// Every online device of the firmware's platform
    #[arg(long)]
    pub online: bool,
    /// Uploads at once [default: esphome.ota_concurrency]
    #[arg(long)]
    pub concurrency: Option<u32>,
    #[arg(long)]
    pub confirm_secs: Option<u32>,
    #[arg(long, short = 'y')]
    pub yes: bool,
}
