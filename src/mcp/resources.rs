//! Read-only views as MCP resources: each is one read verb run when the
//! resource is read, its outcome as JSON (secret values redacted).

use crate::engine::Command;

pub(super) struct View {
    pub uri: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    command: fn() -> Command,
}

impl View {
    pub fn command(&self) -> Command {
        (self.command)()
    }
}

pub(super) const VIEWS: &[View] = &[
    View {
        uri: "homedeck://servers",
        name: "servers",
        description: "Servers with their newest health (server_list)",
        command: || Command::ServerList {},
    },
    View {
        uri: "homedeck://devices/esphome",
        name: "esphome-devices",
        description: "ESPHome devices: address, version, online (esphome_list)",
        command: || Command::EsphomeList {},
    },
    View {
        uri: "homedeck://devices/wled",
        name: "wled-devices",
        description: "WLED devices with their latest state (wled_list)",
        command: || Command::WledList {},
    },
    View {
        uri: "homedeck://devices/fpp",
        name: "fpp-hosts",
        description: "Falcon Player hosts with their latest status (fpp_list)",
        command: || Command::FppList {},
    },
    View {
        uri: "homedeck://audit/recent",
        name: "audit-recent",
        description: "The 50 newest audit entries (audit_search limit=50)",
        command: || Command::AuditSearch {
            category: None,
            min_severity: None,
            status: None,
            actor: None,
            resource: None,
            since: None,
            until: None,
            text: None,
            limit: Some(50),
            before: None,
        },
    },
];

pub(super) fn find(uri: &str) -> Option<&'static View> {
    VIEWS.iter().find(|v| v.uri == uri)
}
