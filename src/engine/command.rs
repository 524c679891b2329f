//! The verbs. Each entry: a one-line doc, the stable name, the permission
//! class, whether a read is audited anyway, and the arguments. Adding a
//! capability means adding rows here and handling them in `dispatch`.

use super::alerts::model::AlertFilter;
use super::audit::{Category, Severity, Status};
use super::command_table::{CommandSpec, commands};
use super::secret_value::SecretValue;
use super::security::SecurityStatus;
use super::servers::model::AuthMethod;
use super::sites::SiteKind;
use super::vault::SecretKind;
use super::lights::args::{Flag, StopMode};
use super::lights::wled::control::Power;

commands! {
    /// The vault and its secrets.
    Vault(VaultCommand) {
        /// Show whether the vault exists, is unlocked, and when it locks itself.
        VaultStatus = "vault_status", Read, audited: false, {};
        /// Create the vault with a passphrase (first run only).
        VaultInit = "vault_init", Write, audited: true, { passphrase: SecretValue };
        /// Unlock the vault with its passphrase.
        VaultUnlock = "vault_unlock", Read, audited: true, { passphrase: SecretValue };
        /// Lock the vault now, forgetting the data key.
        VaultLock = "vault_lock", Read, audited: true, {};
        /// Change the vault passphrase (re-wraps the data key; secrets are untouched).
        VaultChangePassphrase = "vault_change_passphrase", Write, audited: true, { current: SecretValue, new: SecretValue };
        /// List secrets: names, types, ages and rotation state, never values.
        SecretList = "secret_list", Read, audited: false, {};
        /// Show one secret's metadata and its access history.
        SecretShow = "secret_show", Read, audited: false, { name: String };
        /// Store a new secret (api_key, password, token, certificate, ssh_key).
        SecretAdd = "secret_add", Write, audited: true, { name: String, kind: SecretKind, value: SecretValue, rotation_days: Option<u32>, note: Option<String> };
        /// Reveal a secret's value (audited; the TUI hides it again after a timeout).
        SecretReveal = "secret_reveal", Read, audited: true, { name: String };
        /// Replace a secret's value with a new one and record the rotation.
        SecretRotate = "secret_rotate", Write, audited: true, { name: String, value: SecretValue };
        /// Set how many days a secret may live before rotation is due (0 turns it off).
        SecretSetRotation = "secret_set_rotation", Write, audited: true, { name: String, days: u32 };
        /// List secrets whose rotation is due or overdue.
        SecretRotationDue = "secret_rotation_due", Read, audited: false, {};
        /// Revoke a secret for good: its value is destroyed and later reads are refused.
        SecretRevoke = "secret_revoke", Dangerous, audited: true, { name: String, reason: String };
    }

    /// The audit log and security events.
    Audit(AuditCommand) {
        /// Search the audit log, newest first (filters combine; `before` pages on).
        AuditSearch = "audit_search", Read, audited: false, {
            category: Option<Category>, min_severity: Option<Severity>, status: Option<Status>,
            actor: Option<String>, resource: Option<String>, since: Option<String>,
            until: Option<String>, text: Option<String>, limit: Option<u32>, before: Option<String>
        };
        /// Delete audit entries older than the retention period (or the given days).
        AuditCleanup = "audit_cleanup", Dangerous, audited: true, { older_than_days: Option<u32> };
        /// List security events, newest first, optionally by status.
        SecurityEventList = "security_event_list", Read, audited: false, { status: Option<SecurityStatus>, limit: Option<u32> };
        /// Show one security event with its evidence and response notes.
        SecurityEventShow = "security_event_show", Read, audited: false, { id: u64 };
        /// Move a security event along its workflow with a note.
        SecurityEventUpdate = "security_event_update", Write, audited: true, { id: u64, status: SecurityStatus, note: String };
    }

    /// Servers over SSH.
    Servers(ServersCommand) {
        /// List servers (the built-in `local` first) with their newest health and last hour of CPU.
        ServerList = "server_list", Read, audited: false, {};
        /// Show one server: address, login, pinned host key, health and its history.
        ServerShow = "server_show", Read, audited: false, { name: String };
        /// Add a server (auth key, password or agent; a key or password given here goes into the vault).
        ServerAdd = "server_add", Write, audited: true, {
            name: String, host: String, port: Option<u32>, user: Option<String>, auth: Option<AuthMethod>,
            secret: Option<String>, key: Option<SecretValue>, key_passphrase: Option<SecretValue>,
            password: Option<SecretValue>, tags: Option<String>, site: Option<String>
        };
        /// Change a server's address, login, tags or site (only the fields given; a new address forgets the pinned key).
        ServerEdit = "server_edit", Write, audited: true, {
            name: String, host: Option<String>, port: Option<u32>, user: Option<String>, auth: Option<AuthMethod>,
            secret: Option<String>, key: Option<SecretValue>, key_passphrase: Option<SecretValue>,
            password: Option<SecretValue>, tags: Option<String>, site: Option<String>
        };
        /// Remove a server from the inventory (its vault secrets stay until revoked).
        ServerRemove = "server_remove", Dangerous, audited: true, { name: String };
        /// Connect now: latency, SSH banner, host key, OS and kernel (pins the host key on first use).
        ServerTest = "server_test", Read, audited: true, { name: String };
        /// Accept the host key a server presents now, replacing its pin (give the fingerprint you checked).
        ServerTrust = "server_trust", Dangerous, audited: true, { name: String, fingerprint: Option<String> };
        /// Run a command on servers (targets: names, tag:T, site:S or all; {{secret:NAME}} inserts a vault secret).
        ServerExec = "server_exec", Write, audited: true, {
            targets: String, line: String, shell: Option<bool>, confirmed: Option<bool>, timeout_secs: Option<u32>
        };
        /// Cancel a command run that is still going.
        ServerExecCancel = "server_exec_cancel", Write, audited: true, { run: u64 };
        /// Probe health now (one server or all): up, degraded or down, with reasons.
        ServerHealth = "server_health", Read, audited: false, { name: Option<String> };
        /// Import Host blocks from an OpenSSH client config (default ~/.ssh/config).
        ServerImportSshConfig = "server_import_ssh_config", Write, audited: true, { path: Option<String>, dry_run: Option<bool> };
        /// Download a file from a server over SFTP.
        ServerGet = "server_get", Write, audited: true, { name: String, remote: String, local: String };
        /// Upload a file to a server over SFTP.
        ServerPut = "server_put", Write, audited: true, { name: String, local: String, remote: String };
        /// Read `tailscale status --json` here or on a server: tailnet, this node, peers.
        TailscaleStatus = "tailscale_status", Read, audited: false, { server: Option<String> };
    }

    /// ESPHome devices.
    Esphome(EsphomeCommand) {
        /// Browse mDNS for ESPHome devices (_esphomelib._tcp) for a few seconds and remember what answers.
        EsphomeDiscover = "esphome_discover", Write, audited: true, { seconds: Option<u32> };
        /// List known ESPHome devices with address, version, platform, last-seen time and online state.
        EsphomeList = "esphome_list", Read, audited: false, {};
        /// Add an ESPHome device by host and port; key and OTA password are vault secret names.
        EsphomeAdd = "esphome_add", Write, audited: true, {
            name: String, host: String, port: Option<u16>, key_secret: Option<String>,
            ota_port: Option<u16>, ota_password_secret: Option<String>, platform: Option<String>, site: Option<String>
        };
        /// Forget an ESPHome device (its log stream stops).
        EsphomeRemove = "esphome_remove", Dangerous, audited: true, { name: String };
        /// Connect to a device: device info and entities over the native API (updates last-seen).
        EsphomeInfo = "esphome_info", Read, audited: false, { name: String };
        /// Stream logs of devices (comma-separated names or site:S) at a level; lines arrive as events.
        EsphomeLogsStart = "esphome_logs_start", Read, audited: false, { devices: String, level: Option<crate::engine::esphome::LogLevel> };
        /// Stop log streams (every stream when no devices are named).
        EsphomeLogsStop = "esphome_logs_stop", Read, audited: false, { devices: Option<String> };
        /// Import a firmware .bin into the registry with its version label and platform.
        EsphomeFirmwareImport = "esphome_firmware_import", Write, audited: true, { path: String, version: String, platform: String };
        /// List the firmware registry: version, platform, size, SHA-256.
        EsphomeFirmwareList = "esphome_firmware_list", Read, audited: false, {};
        /// Flash a firmware over the air (espota2) and confirm the device comes back with its version.
        EsphomeOta = "esphome_ota", Dangerous, audited: true, { device: String, firmware: String, confirm_secs: Option<u32> };
        /// Flash a firmware to many devices: names or site:S (comma-separated), `outdated` or `online`; bounded concurrency.
        EsphomeOtaBulk = "esphome_ota_bulk", Dangerous, audited: true, {
            firmware: String, targets: String, concurrency: Option<u32>, confirm_secs: Option<u32>
        };
        /// Cancel a running OTA (every running OTA when no device is named).
        EsphomeOtaCancel = "esphome_ota_cancel", Write, audited: true, { device: Option<String> };
    }

    /// WLED and Falcon Player.
    Lights(LightsCommand) {
        /// Keep live connections to every WLED device and FPP host and run light schedules while this front end runs.
        LightsWatch = "lights_watch", Read, audited: false, {};
        /// List WLED devices with their latest state (polls each device once unless watched).
        WledList = "wled_list", Read, audited: false, {};
        /// Look for WLED devices on the network over mDNS (_wled._tcp) for a few seconds.
        WledDiscover = "wled_discover", Read, audited: false, { seconds: Option<u32>, interface: Option<String> };
        /// Add a WLED device by address (host or host:port); it is asked for its name, MAC and version.
        WledAdd = "wled_add", Write, audited: true, { address: String, name: Option<String>, site: Option<String> };
        /// Remove a WLED device from the inventory (groups and schedules naming it are kept).
        WledRemove = "wled_remove", Dangerous, audited: true, { device: String };
        /// Read one device's full state, info and its own effect and palette lists.
        WledState = "wled_state", Read, audited: false, { device: String };
        /// Change a device, group or site:S: power on/off/toggle, bri, color (hex, r,g,b or a name), effect, palette, speed, intensity, segment, transition (0.1 s).
        WledSet = "wled_set", Write, audited: true, {
            target: String, power: Option<Power>, bri: Option<u8>, color: Option<String>, effect: Option<String>,
            palette: Option<String>, speed: Option<u8>, intensity: Option<u8>, segment: Option<u8>, transition: Option<u16>
        };
        /// List a device's presets and playlists.
        WledPresetList = "wled_preset_list", Read, audited: false, { device: String };
        /// Apply a preset (by id or name) on a device or group.
        WledPresetApply = "wled_preset_apply", Write, audited: true, { target: String, preset: String };
        /// Save the device's current state as preset id (1–250) with a name.
        WledPresetSave = "wled_preset_save", Write, audited: true, { device: String, id: u8, name: String };
        /// Delete a preset or playlist from a device.
        WledPresetDelete = "wled_preset_delete", Dangerous, audited: true, { device: String, id: u8 };
        /// Start a playlist (by id or name) on a device or group.
        WledPlaylistStart = "wled_playlist_start", Write, audited: true, { target: String, playlist: String };
        /// Stop the running playlist on a device or group (the lights stay as they are).
        WledPlaylistStop = "wled_playlist_stop", Write, audited: true, { target: String };
        /// Skip to the next entry of the running playlist on a device or group.
        WledPlaylistNext = "wled_playlist_next", Write, audited: true, { target: String };
        /// List device groups.
        WledGroupList = "wled_group_list", Read, audited: false, {};
        /// Create or replace a group of devices (members: comma-separated device names).
        WledGroupSet = "wled_group_set", Write, audited: true, { name: String, members: String };
        /// Delete a group (its devices stay).
        WledGroupRemove = "wled_group_remove", Write, audited: true, { name: String };
        /// List light schedules with their next run and any runs missed while homedeck was not running.
        WledScheduleList = "wled_schedule_list", Read, audited: false, {};
        /// Add a schedule: cron (5 fields, in tz), target device or group, action on/off/preset:X/playlist:X.
        WledScheduleAdd = "wled_schedule_add", Write, audited: true, { name: String, cron: String, target: String, action: String, tz: Option<String> };
        /// Remove a schedule.
        WledScheduleRemove = "wled_schedule_remove", Write, audited: true, { name: String };
        /// Turn a schedule on or off without removing it.
        WledScheduleEnable = "wled_schedule_enable", Write, audited: true, { name: String, enabled: Flag };
        /// Acknowledge a schedule's missed runs (clears the list shown; the audit log keeps them).
        WledScheduleAck = "wled_schedule_ack", Write, audited: true, { name: String };
        /// Fetch a device's presets.json and cfg.json (what a backup of it holds).
        WledExport = "wled_export", Read, audited: true, { device: String };
        /// List FPP hosts with their latest status.
        FppList = "fpp_list", Read, audited: false, {};
        /// Look for Falcon Player hosts (FPP ≥ 10) over mDNS (`_fppd._udp`) on the given interface.
        FppDiscover = "fpp_discover", Read, audited: false, { seconds: Option<u32>, interface: Option<String> };
        /// Add a Falcon Player host by address (FPP has no authentication).
        FppAdd = "fpp_add", Write, audited: true, { address: String, name: Option<String>, site: Option<String> };
        /// Remove an FPP host from the inventory.
        FppRemove = "fpp_remove", Dangerous, audited: true, { host: String };
        /// Read an FPP host's status: mode, playlist and item, elapsed/remaining, next scheduled, sensors.
        FppStatus = "fpp_status", Read, audited: false, { host: String };
        /// List an FPP host's playlists.
        FppPlaylists = "fpp_playlists", Read, audited: false, { host: String };
        /// Start a playlist on an FPP host (repeat=true to loop it).
        FppStart = "fpp_start", Write, audited: true, { host: String, playlist: String, repeat: Option<Flag> };
        /// Stop the FPP playlist: mode now (default), graceful, or after_loop.
        FppStop = "fpp_stop", Write, audited: true, { host: String, mode: Option<StopMode> };
        /// Pause the running FPP playlist.
        FppPause = "fpp_pause", Write, audited: true, { host: String };
        /// Resume a paused FPP playlist.
        FppResume = "fpp_resume", Write, audited: true, { host: String };
        /// Jump to the next item of the running FPP playlist.
        FppNext = "fpp_next", Write, audited: true, { host: String };
        /// Jump to the previous item of the running FPP playlist.
        FppPrev = "fpp_prev", Write, audited: true, { host: String };
        /// Show an FPP host's schedule entries.
        FppSchedule = "fpp_schedule", Read, audited: false, { host: String };
        /// Add an FPP schedule entry (checked against the host's playlists; times HH:MM or SunSet…).
        FppScheduleAdd = "fpp_schedule_add", Write, audited: true, {
            host: String, playlist: String, day: String, start_time: String, end_time: String,
            start_date: Option<String>, end_date: Option<String>, repeat: Option<Flag>, stop: Option<String>
        };
        /// Remove FPP schedule entry number index (from fpp_schedule).
        FppScheduleRemove = "fpp_schedule_remove", Dangerous, audited: true, { host: String, index: u32 };
        /// Enable or disable FPP schedule entry number index.
        FppScheduleEnable = "fpp_schedule_enable", Write, audited: true, { host: String, index: u32, enabled: Flag };
        /// List the FPP systems a host sees over MultiSync.
        FppMultisync = "fpp_multisync", Read, audited: false, { host: String };
    }

    /// The one scheduler: every kind of schedule.
    Scheduler(SchedulerCommand) {
        /// Every schedule of every kind: next run, last run and result, and whether it is idle, running or waiting for unlock.
        SchedulerStatus = "scheduler_status", Read, audited: false, {};
    }

    /// Backups, restores, schedules and snapshots.
    Backup(BackupCommand) {
        /// Backups at a glance: sources, catalog, schedules, repositories, running jobs, watched files.
        BackupOverview = "backup_overview", Read, audited: false, {};
        /// Run backup schedules and snapshot watched files while this front end runs.
        BackupWatch = "backup_watch", Read, audited: false, {};
        /// List backup sources with their newest backup and next scheduled run.
        BackupSourceList = "backup_source_list", Read, audited: false, {};
        /// Add a backup source: kind dir|ha_config|node_red|zigbee2mqtt|wled|fpp; live = Node-RED URL, MQTT host:port[/topic], WLED device or FPP host; login = USER:VAULT_SECRET; path = SERVER:/abs/dir for a directory on a server (SFTP); backup_password_secret = vault secret holding the backup password (runs given none, e.g. scheduled, use it).
        BackupSourceAdd = "backup_source_add", Write, audited: true, {
            name: String, kind: String, path: Option<String>, live: Option<String>, login: Option<String>,
            exclude: Option<String>, exclude_db: Option<bool>, encrypt: Option<bool>, key_secret: Option<String>,
            compression: Option<String>, repo: Option<String>, health: Option<String>, backup_password_secret: Option<String>,
            site: Option<String>
        };
        /// Remove a backup source (its archives stay in the catalog).
        BackupSourceRemove = "backup_source_remove", Dangerous, audited: true, { name: String };
        /// Back a source up now: archive, read back, verify, store, catalog.
        BackupCreate = "backup_create", Write, audited: true, { source: String, password: Option<SecretValue> };
        /// List the catalog (newest first): source, size, checksum, encrypted, verified (source: a name or site:S).
        BackupList = "backup_list", Read, audited: false, { source: Option<String> };
        /// Re-read archives (one, or all) and check every hash and the catalog checksum.
        BackupVerify = "backup_verify", Read, audited: true, { id: Option<u64>, password: Option<SecretValue> };
        /// Restore a backup (or an archive file): preview first; confirmed=true takes a pre-restore backup, swaps, checks health, rolls back on failure.
        BackupRestore = "backup_restore", Dangerous, audited: true, {
            id: Option<u64>, file: Option<String>, target: Option<String>, only: Option<String>,
            password: Option<SecretValue>, confirmed: Option<bool>
        };
        /// Record that the operator saw a restore's preview and said no (nothing is restored); front ends send it.
        BackupRestoreDecline = "backup_restore_decline", Read, audited: true, { id: Option<u64>, file: Option<String> };
        /// Forget old backups of a source, restic-style (keep_last/hourly/daily/weekly/monthly); dry_run=true shows what would go.
        BackupForget = "backup_forget", Dangerous, audited: true, {
            source: String, keep_last: Option<u32>, keep_hourly: Option<u32>, keep_daily: Option<u32>,
            keep_weekly: Option<u32>, keep_monthly: Option<u32>, dry_run: Option<bool>
        };
        /// List backup schedules with their next run and runs missed while homedeck was not running.
        BackupScheduleList = "backup_schedule_list", Read, audited: false, {};
        /// Add a backup schedule: cron (in tz) for a source, with an optional retention policy.
        BackupScheduleAdd = "backup_schedule_add", Write, audited: true, {
            name: String, source: String, cron: String, tz: Option<String>, keep_last: Option<u32>,
            keep_hourly: Option<u32>, keep_daily: Option<u32>, keep_weekly: Option<u32>, keep_monthly: Option<u32>
        };
        /// Remove a backup schedule.
        BackupScheduleRemove = "backup_schedule_remove", Write, audited: true, { name: String };
        /// Add a remote repository: a directory on a server, reached over SFTP.
        BackupRepoAdd = "backup_repo_add", Write, audited: true, { name: String, server: String, path: String };
        /// List repositories (`local` is built in).
        BackupRepoList = "backup_repo_list", Read, audited: false, {};
        /// List running backup, verify and restore jobs with their progress.
        BackupJobs = "backup_jobs", Read, audited: false, {};
        /// Cancel a running backup job.
        BackupCancel = "backup_cancel", Write, audited: true, { job: u64 };
        /// Export homedeck's whole state (servers, devices, schedules, secrets, audit) to an encrypted file.
        BackupExport = "backup_export", Read, audited: true, { path: String, password: Option<SecretValue> };
        /// Import an export, replacing homedeck's whole state (confirmed=true to apply).
        BackupImport = "backup_import", Dangerous, audited: true, { path: String, password: Option<SecretValue>, confirmed: Option<bool> };
        /// Watch a config file: snapshot it whenever it changes.
        BackupSnapshotWatch = "backup_snapshot_watch", Write, audited: true, { file: String };
        /// Stop watching a file (its snapshots stay).
        BackupSnapshotUnwatch = "backup_snapshot_unwatch", Write, audited: true, { file: String };
        /// Snapshot a watched (or any) file now, if it changed.
        BackupSnapshotTake = "backup_snapshot_take", Write, audited: true, { file: String };
        /// List snapshots, newest first (of one file, or all).
        BackupSnapshots = "backup_snapshots", Read, audited: false, { file: Option<String> };
        /// Unified diff between two snapshots (or a snapshot and the file as it is now).
        BackupDiff = "backup_diff", Read, audited: false, { a: u64, b: Option<u64> };
        /// Write a snapshot back to its file (the current content is snapshotted first).
        BackupSnapshotRestore = "backup_snapshot_restore", Dangerous, audited: true, { id: u64 };
    }

    /// Home Assistant deployments on servers.
    Deploy(DeployCommand) {
        /// List deployments with status, version, port and server (health=true probes each one now).
        DeployList = "deploy_list", Read, audited: false, { health: Option<bool> };
        /// One deployment in detail: process, HTTP and API health, version, uptime, restarts.
        DeployStatus = "deploy_status", Read, audited: false, { name: String };
        /// Install Home Assistant on a server (runtime venv or docker) and start it; waits until healthy unless wait=false (site: default the server's).
        DeployCreate = "deploy_create", Write, audited: true, {
            name: String, server: String, version: String, runtime: Option<String>, port: Option<u16>,
            config_dir: Option<String>, bind: Option<String>, find_links: Option<String>, supervisor: Option<String>, wait: Option<bool>,
            root: Option<String>, python: Option<String>, site: Option<String>
        };
        /// Start a deployment (waits until healthy unless wait=false).
        DeployStart = "deploy_start", Write, audited: true, { name: String, wait: Option<bool> };
        /// Stop a deployment.
        DeployStop = "deploy_stop", Write, audited: true, { name: String };
        /// Restart a deployment (waits until healthy unless wait=false).
        DeployRestart = "deploy_restart", Write, audited: true, { name: String, wait: Option<bool> };
        /// Upgrade to a version: config snapshot first, health check after (health_timeout: seconds the new version gets, default healthy_timeout_secs), automatic rollback of version and config on failure.
        DeployUpgrade = "deploy_upgrade", Write, audited: true, { name: String, version: String, health_timeout: Option<u32> };
        /// Delete a deployment: stop it, remove its venv or container and files; a final config backup is kept unless keep_backup=false.
        DeployRemove = "deploy_remove", Dangerous, audited: true, { name: String, keep_backup: Option<bool> };
        /// Cancel the create, upgrade, start or restart running on a deployment (a cancelled create cleans up).
        DeployCancel = "deploy_cancel", Write, audited: true, { name: String };
        /// Home Assistant's log: the last lines, or follow=true to stream new lines live.
        DeployLogs = "deploy_logs", Read, audited: false, { name: String, lines: Option<u32>, follow: Option<bool> };
        /// Stop following a deployment's log.
        DeployLogsStop = "deploy_logs_stop", Read, audited: false, { name: String };
        /// Read a config file of a deployment (default configuration.yaml).
        DeployConfigRead = "deploy_config_read", Read, audited: false, { name: String, path: Option<String> };
        /// Save a config file: YAML syntax checked first, snapshot kept, uploaded over SFTP, then HA's config check.
        DeployConfigWrite = "deploy_config_write", Write, audited: true, { name: String, path: Option<String>, content: String, check: Option<bool> };
        /// Run Home Assistant's config check; errors come with line numbers.
        DeployConfigCheck = "deploy_config_check", Read, audited: false, { name: String };
        /// Put a config file back as it was before its last save through homedeck.
        DeployConfigRevert = "deploy_config_revert", Write, audited: true, { name: String, path: Option<String> };
    }

    /// Connections to running Home Assistant instances.
    Ha(HaCommand) {
        /// List Home Assistant connection profiles.
        HaList = "ha_list", Read, audited: false, {};
        /// Add a connection profile: URL (or deployment=NAME) and a long-lived token (prompted, kept in the vault) or token_secret=NAME.
        HaAdd = "ha_add", Write, audited: true, {
            name: String, url: Option<String>, token_secret: Option<String>, token: Option<SecretValue>, deployment: Option<String>,
            site: Option<String>
        };
        /// Remove a connection profile (its token secret stays in the vault).
        HaRemove = "ha_remove", Dangerous, audited: true, { name: String };
        /// Test a profile: latency, Home Assistant version, location name and entity count.
        HaTest = "ha_test", Read, audited: false, { name: String };
        /// List entity states (filter: light. or *kitchen* or a substring).
        HaStates = "ha_states", Read, audited: false, { name: String, filter: Option<String> };
        /// One entity's state history over a time window (since: 24h by default, 2h, 1d or a date/time; until: now by default), from HA's recorder.
        HaHistory = "ha_history", Read, audited: false, { name: String, entity: String, since: Option<String>, until: Option<String> };
        /// Watch state changes live over the WebSocket API (filter as for ha_states).
        HaWatch = "ha_watch", Read, audited: false, { name: String, filter: Option<String> };
        /// Stop watching a profile's state changes.
        HaUnwatch = "ha_unwatch", Read, audited: false, { name: String };
        /// Call a service on an entity, e.g. service=light.turn_off entity=light.porch (needs confirmed=true).
        HaCall = "ha_call", Write, audited: true, {
            name: String, service: String, entity: Option<String>, data: Option<String>, confirmed: Option<bool>
        };
    }

    /// Overview: is everything all right, and what happened since you last looked.
    Overview(OverviewCommand) {
        /// Servers, devices, deployments, backups, due rotations and open security events at a glance, with the notable audit entries since you last looked (or since a time: 2h, 1d, 2026-12-01); site narrows the servers, devices, deployments and backups to one site.
        Overview = "overview", Read, audited: false, { since: Option<String>, site: Option<String> };
        /// Remember now as the time you last looked, so the next overview lists only what happened after it.
        OverviewSeen = "overview_seen", Write, audited: true, {};
    }

    /// Sites: which home each resource is at.
    Sites(SitesCommand) {
        /// Every site in use with how many servers, deployments, devices, profiles and backup sources are at it.
        SiteList = "site_list", Read, audited: false, {};
        /// Put a resource (kind server, deployment, esphome, wled, fpp, ha, backup_source) at a site; site=- makes it inherit again.
        SiteSet = "site_set", Write, audited: true, { kind: SiteKind, name: String, site: String };
    }

    /// The consistency check: store, backup catalog, permissions, lock and socket.
    Doctor(DoctorCommand) {
        /// Check the store, the backup catalog against the repository (read_data=true hashes every archive), permissions and the socket.
        DoctorCheck = "doctor_check", Read, audited: false, { read_data: Option<bool> };
        /// Check as doctor_check and fix what is safe to fix (indexes, modes, forgotten archives, a stale socket), saying what was done.
        DoctorRepair = "doctor_repair", Write, audited: true, { read_data: Option<bool> };
    }

    /// The MCP server's own records (never offered as tools).
    Mcp(McpCommand) {
        /// Record a tool call the MCP server refused (read-only session, missing permission, rate limit): audited as a failure of that tool.
        McpRefused = "mcp_refused", Read, audited: true, { tool: String, reason: String, arguments: Option<String> };
        /// Create an API token for MCP clients (class read|write|dangerous, allow/deny tool globs, expires 30d, rate 60/min); its value is shown once.
        TokenCreate = "token_create", Write, audited: true, {
            name: String, class: Option<String>, allow: Option<String>, deny: Option<String>, expires: Option<String>, rate: Option<String>
        };
        /// List API tokens: class, allow/deny, created, expires, last used, use count (never values).
        TokenList = "token_list", Read, audited: false, {};
        /// Show one API token's settings and use.
        TokenShow = "token_show", Read, audited: false, { name: String };
        /// Revoke an API token: every later call with it is refused.
        TokenRevoke = "token_revoke", Dangerous, audited: true, { name: String };
        /// Give an API token a new value (settings kept; the old value stops working); shown once.
        TokenRotate = "token_rotate", Write, audited: true, { name: String };
        /// Check that a token may call a tool now (class, allow/deny, expiry, revocation, rate); wrong tokens are throttled per peer; dry_run=true: a preview, which any class may ask for.
        TokenAuthorize = "token_authorize", Read, audited: false, { token: SecretValue, tool: Option<String>, peer: Option<String>, dry_run: Option<bool> };
        /// How MCP clients use homedeck since a time (default 24h): per-tool calls, errors, p50/p99 latency; open sessions; each Home Assistant profile's circuit breaker.
        McpStatus = "mcp_status", Read, audited: false, { since: Option<String> };
    }

    /// Alerts: what the rules of config.toml found, acknowledgements and silences.
    Alerts(AlertsCommand) {
        /// List alerts, newest first (filter: open, acknowledged, resolved, active or all; default active = open or acknowledged).
        AlertList = "alert_list", Read, audited: false, { filter: Option<AlertFilter>, limit: Option<u32> };
        /// One alert with its evidence, acknowledgement and the earlier alerts of the same rule and target.
        AlertShow = "alert_show", Read, audited: false, { id: u64 };
        /// Acknowledge an open alert with a note (who and when are recorded).
        AlertAck = "alert_ack", Write, audited: true, { id: u64, note: String };
        /// Silence a rule, a target, or a rule on a target for a while (duration: 30m, 2h, 1d): alerts still open and resolve, nobody is notified.
        AlertSilence = "alert_silence", Write, audited: true, { rule: Option<String>, target: Option<String>, duration: String, note: Option<String> };
        /// End a silence early (its id is in `alert rules`).
        AlertUnsilence = "alert_unsilence", Write, audited: true, { id: u64 };
        /// The alert rules in force, the silences still running, and whether this homedeck evaluates them.
        AlertRules = "alert_rules", Read, audited: false, {};
    }

    /// Notifications: routes, delivery queue, dead-letter list.
    Notify(NotifyCommand) {
        /// List notification routes (secrets shown as vault names) with their queued and dead-lettered deliveries.
        NotifyRoutes = "notify_routes", Read, audited: false, {};
        /// Send a test notification on a route now and wait for the receiver's answer.
        NotifyTest = "notify_test", Write, audited: true, { route: String };
        /// Queue a notification on one route (or every route) for delivery.
        NotifySend = "notify_send", Write, audited: true, { route: Option<String>, title: String, body: Option<String>, severity: Option<Severity> };
        /// List queued deliveries (next attempt, last error) and the dead-letter list.
        NotifyQueue = "notify_queue", Read, audited: false, {};
        /// Queue a dead-lettered delivery again with fresh attempts.
        NotifyRetry = "notify_retry", Write, audited: true, { id: u64 };
    }

    /// The AI assistant: conversations, proposals to confirm, undo, the provider.
    Ai(AiCommand) {
        /// Ask the assistant in plain words (a new conversation unless one is named; context: what the console has selected, e.g. `server:nas`): read commands run at once, writes come back as proposals to confirm.
        AiAsk = "ai_ask", Read, audited: false, { conversation: Option<u64>, text: String, context: Option<String> };
        /// Confirm a proposal and run it as USER@ai (a dangerous one needs its command name typed back in `typed`).
        AiConfirm = "ai_confirm", Write, audited: true, { proposal: u64, typed: Option<String> };
        /// Reject a proposal: recorded, never run.
        AiReject = "ai_reject", Write, audited: true, { proposal: u64 };
        /// Propose the inverse of a done action, recorded when it ran (a new proposal with its own preview).
        AiUndo = "ai_undo", Write, audited: true, { action: u64 };
        /// Stop the reply being generated in a conversation.
        AiStop = "ai_stop", Read, audited: false, { conversation: u64 };
        /// List conversations, newest first.
        AiConversations = "ai_conversations", Read, audited: false, {};
        /// One conversation: its messages and every action it proposed or ran.
        AiShow = "ai_show", Read, audited: false, { conversation: u64 };
        /// Give a conversation a title.
        AiRename = "ai_rename", Write, audited: true, { conversation: u64, title: String };
        /// Delete a conversation and its action records for good.
        AiDelete = "ai_delete", Dangerous, audited: true, { conversation: u64 };
        /// A conversation as Markdown (messages, proposals, results).
        AiExport = "ai_export", Read, audited: false, { conversation: u64 };
        /// Check the configured provider: latency, its model list, whether tool calling works.
        AiTest = "ai_test", Read, audited: false, {};
    }
}

impl Command {
    /// This command's row in the table.
    pub fn spec(&self) -> &'static CommandSpec {
        let name = self.name();
        // The table is generated from the same declaration as the enum, so
        // every variant has a row; the fallback only satisfies the types.
        COMMANDS.iter().find(|s| s.name == name).unwrap_or(&COMMANDS[0])
    }

    /// The same command with `confirmed=true`, for verbs that take it. A
    /// front end that gets `EngineError::ConfirmationRequired` asks its
    /// person (with the engine's own reason) and runs this; it never repeats
    /// the engine's check itself.
    pub fn confirmed(&self) -> Option<Command> {
        if !self.spec().args.iter().any(|a| a.name == "confirmed") {
            return None;
        }
        let mut value = serde_json::to_value(self).ok()?;
        value.as_object_mut()?.insert("confirmed".into(), serde_json::Value::Bool(true));
        serde_json::from_value(value).ok()
    }
}

/// Look a command up by its stable name.
pub fn spec(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_snake_case_and_documented() {
        let mut seen = HashSet::new();
        for s in COMMANDS {
            assert!(seen.insert(s.name), "duplicate {}", s.name);
            assert!(s.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", s.name);
            assert!(!s.summary().is_empty(), "{} has no doc", s.name);
            if s.class.changes_state() {
                assert!(s.audited, "{} changes state but is not audited", s.name);
            }
        }
    }

    #[test]
    fn serde_uses_the_table_names() {
        let c = Command::SecretShow { name: "x".into() };
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["command"], "secret_show");
        assert_eq!(c.spec().name, "secret_show");
        let back: Command = serde_json::from_value(json).unwrap();
        assert_eq!(back.name(), "secret_show");
    }

    #[test]
    fn confirmed_sets_the_flag_only_where_there_is_one() {
        let exec = Command::ServerExec { targets: "all".into(), line: "reboot".into(), shell: None, confirmed: Some(false), timeout_secs: None };
        let Some(Command::ServerExec { confirmed, line, .. }) = exec.confirmed() else { panic!("exec takes confirmed") };
        assert_eq!((confirmed, line.as_str()), (Some(true), "reboot"));
        assert!(Command::SecretShow { name: "x".into() }.confirmed().is_none());
        for s in COMMANDS.iter().filter(|s| s.args.iter().any(|a| a.name == "confirmed")) {
            let arg = s.args.iter().find(|a| a.name == "confirmed").unwrap();
            assert_eq!(arg.ty, "Option<bool>", "{}: confirmed must be an optional flag", s.name);
        }
    }

    #[test]
    fn secret_args_are_flagged() {
        let s = spec("secret_add").unwrap();
        let value = s.args.iter().find(|a| a.name == "value").unwrap();
        assert!(value.secret() && value.required());
        let days = s.args.iter().find(|a| a.name == "rotation_days").unwrap();
        assert!(!days.required() && days.numeric());
    }
}
