//! Zigbee2MQTT's own backup over MQTT: publish
//! `<base>/bridge/request/backup`, wait for `<base>/bridge/response/backup`
//! = `{"data":{"zip":"<base64>"},"status":"ok"}` (or `status: error`). The
//! zip holds the network key, so a source with it is encrypted by default.

use crate::engine::error::{EngineError, EngineResult};
use base64::Engine as _;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::time::Duration;

/// A Zigbee2MQTT backup zip larger than this is refused.
const MAX_REPLY: usize = 128 << 20;

fn parse_broker(broker: &str) -> EngineResult<(String, u16)> {
    let b = broker.trim().trim_start_matches("mqtt://");
    let (host, port) = match b.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| EngineError::invalid("mqtt", broker, "host:port with a port number"))?),
        None => (b, 1883),
    };
    if host.is_empty() {
        return Err(EngineError::invalid("mqtt", broker, "host:port of the MQTT broker"));
    }
    Ok((host.to_string(), port))
}

/// Decode the reply Zigbee2MQTT documents.
pub fn parse_reply(payload: &[u8]) -> EngineResult<Vec<u8>> {
    let bad = |d: String| EngineError::Other(format!("Zigbee2MQTT backup reply: {d}"));
    let v: serde_json::Value = serde_json::from_slice(payload).map_err(|e| bad(format!("not JSON ({e})")))?;
    match v.get("status").and_then(|s| s.as_str()) {
        Some("ok") => {}
        Some("error") => return Err(bad(format!("Zigbee2MQTT answered error: {}", v.get("error").map(|e| e.to_string()).unwrap_or_default()))),
        other => return Err(bad(format!("status {other:?}, expected \"ok\" or \"error\""))),
    }
    let b64 = v.pointer("/data/zip").and_then(|z| z.as_str()).ok_or_else(|| bad("no data.zip string".into()))?;
    let zip = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|e| bad(format!("data.zip is not base64 ({e})")))?;
    if !zip.starts_with(b"PK") {
        return Err(bad("data.zip is not a zip file".into()));
    }
    Ok(zip)
}

/// Ask Zigbee2MQTT at `broker` for a backup and wait up to `wait`.
pub async fn request_backup(broker: &str, base: &str, wait: Duration) -> EngineResult<Vec<u8>> {
    let (host, port) = parse_broker(broker)?;
    let id = format!("homedeck-{}", std::process::id());
    let mut opts = MqttOptions::new(id, host, port);
    opts.set_keep_alive(Duration::from_secs(10));
    opts.set_max_packet_size(MAX_REPLY, 64 * 1024);
    let (client, mut events) = AsyncClient::new(opts, 10);
    let response = format!("{base}/bridge/response/backup");
    let request = format!("{base}/bridge/request/backup");
    let fail = |d: String| EngineError::Other(format!("MQTT broker {broker}: {d}"));
    let run = async {
        let mut subscribed = false;
        loop {
            match events.poll().await.map_err(|e| fail(e.to_string()))? {
                Event::Incoming(Packet::ConnAck(_)) => {
                    client.subscribe(&response, QoS::AtLeastOnce).await.map_err(|e| fail(e.to_string()))?;
                }
                Event::Incoming(Packet::SubAck(_)) if !subscribed => {
                    subscribed = true;
                    client.publish(&request, QoS::AtLeastOnce, false, "").await.map_err(|e| fail(e.to_string()))?;
                }
                Event::Incoming(Packet::Publish(p)) if p.topic == response => return parse_reply(&p.payload),
                _ => {}
            }
        }
    };
    let out = tokio::time::timeout(wait, run)
        .await
        .map_err(|_| fail(format!("no answer on {response} within {} s (is Zigbee2MQTT running with base topic {base:?}?)", wait.as_secs())))?;
    let _ = client.disconnect().await;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn replies() {
        let zip = base64::engine::general_purpose::STANDARD.encode(b"PK\x03\x04rest");
        assert_eq!(parse_reply(format!(r#"{{"data":{{"zip":"{zip}"}},"status":"ok"}}"#).as_bytes()).unwrap(), b"PK\x03\x04rest");
        assert!(parse_reply(br#"{"data":{},"status":"error","error":"no coordinator"}"#).unwrap_err().to_string().contains("no coordinator"));
        assert!(parse_reply(b"nope").is_err());
        assert!(parse_reply(br#"{"status":"ok","data":{"zip":"!!"}}"#).unwrap_err().to_string().contains("base64"));
        assert!(parse_reply(br#"{"status":"ok","data":{"zip":"aGVsbG8="}}"#).unwrap_err().to_string().contains("not a zip"));
        assert!(parse_broker("host").is_ok() && parse_broker("h:x").is_err() && parse_broker(":1").is_err());
    }
}
