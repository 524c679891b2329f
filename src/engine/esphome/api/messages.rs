//! The handful of native-API messages homedeck speaks, as hand-written prost
//! structs. Field numbers are ESPHome's `api.proto` (checked against the
//! `api_pb2` module that aioesphomeapi ships); unknown fields are skipped by
//! prost, so newer devices stay readable.

use prost::Message;

pub const HELLO_REQUEST: u32 = 1;
pub const HELLO_RESPONSE: u32 = 2;
pub const DISCONNECT_REQUEST: u32 = 5;
pub const DISCONNECT_RESPONSE: u32 = 6;
pub const PING_REQUEST: u32 = 7;
pub const PING_RESPONSE: u32 = 8;
pub const DEVICE_INFO_REQUEST: u32 = 9;
pub const DEVICE_INFO_RESPONSE: u32 = 10;
pub const LIST_ENTITIES_REQUEST: u32 = 11;
pub const LIST_ENTITIES_DONE: u32 = 19;
pub const SUBSCRIBE_LOGS_REQUEST: u32 = 28;
pub const SUBSCRIBE_LOGS_RESPONSE: u32 = 29;
pub const GET_TIME_REQUEST: u32 = 36;
pub const GET_TIME_RESPONSE: u32 = 37;

#[derive(Clone, PartialEq, Message)]
pub struct HelloRequest {
    #[prost(string, tag = "1")]
    pub client_info: String,
    #[prost(uint32, tag = "2")]
    pub api_version_major: u32,
    #[prost(uint32, tag = "3")]
    pub api_version_minor: u32,
}

#[derive(Clone, PartialEq, Message)]
pub struct HelloResponse {
    #[prost(uint32, tag = "1")]
    pub api_version_major: u32,
    #[prost(uint32, tag = "2")]
    pub api_version_minor: u32,
    #[prost(string, tag = "3")]
    pub server_info: String,
    #[prost(string, tag = "4")]
    pub name: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct DeviceInfoResponse {
    #[prost(bool, tag = "1")]
    pub uses_password: bool,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub mac_address: String,
    #[prost(string, tag = "4")]
    pub esphome_version: String,
    #[prost(string, tag = "5")]
    pub compilation_time: String,
    #[prost(string, tag = "6")]
    pub model: String,
    #[prost(string, tag = "8")]
    pub project_name: String,
    #[prost(string, tag = "9")]
    pub project_version: String,
    #[prost(uint32, tag = "10")]
    pub webserver_port: u32,
    #[prost(string, tag = "12")]
    pub manufacturer: String,
    #[prost(string, tag = "13")]
    pub friendly_name: String,
    #[prost(string, tag = "16")]
    pub suggested_area: String,
    #[prost(bool, tag = "19")]
    pub api_encryption_supported: bool,
}

/// The fields every `ListEntities*Response` shares.
#[derive(Clone, PartialEq, Message)]
pub struct EntityHeader {
    #[prost(string, tag = "1")]
    pub object_id: String,
    #[prost(fixed32, tag = "2")]
    pub key: u32,
    #[prost(string, tag = "3")]
    pub name: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct SubscribeLogsRequest {
    #[prost(int32, tag = "1")]
    pub level: i32,
    #[prost(bool, tag = "2")]
    pub dump_config: bool,
}

#[derive(Clone, PartialEq, Message)]
pub struct SubscribeLogsResponse {
    #[prost(int32, tag = "1")]
    pub level: i32,
    #[prost(bytes = "vec", tag = "3")]
    pub message: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct GetTimeResponse {
    #[prost(fixed32, tag = "1")]
    pub epoch_seconds: u32,
}

/// The entity domain a `ListEntities*Response` type stands for (services,
/// type 41, have a different shape and are not entities).
pub fn entity_domain(msg_type: u32) -> Option<&'static str> {
    Some(match msg_type {
        12 => "binary_sensor",
        13 => "cover",
        14 => "fan",
        15 => "light",
        16 => "sensor",
        17 => "switch",
        18 => "text_sensor",
        43 => "camera",
        46 => "climate",
        49 => "number",
        52 => "select",
        55 => "siren",
        58 => "lock",
        61 => "button",
        63 => "media_player",
        94 => "alarm_control_panel",
        97 => "text",
        100 => "date",
        103 => "time",
        107 => "event",
        109 => "valve",
        112 => "datetime",
        116 => "update",
        132 => "water_heater",
        135 => "infrared",
        148 => "radio_frequency",
        _ => return None,
    })
}

/// Decode `bytes` as `T`, naming the message in the error.
pub fn decode<T: Message + Default>(what: &str, bytes: &[u8]) -> Result<T, String> {
    T::decode(bytes).map_err(|e| format!("{what} could not be decoded: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<DeviceInfoResponse>("device info", &[0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).is_err());
        let ok = SubscribeLogsResponse { level: 3, message: b"hi".to_vec() }.encode_to_vec();
        assert_eq!(decode::<SubscribeLogsResponse>("log", &ok).unwrap().message, b"hi");
    }
}
