//! An external broker or cluster (`MQTT_URL`): each app server connects as a client and joins
//! one shared subscription (`$share/{group}/…`), so the broker splits the devices' messages
//! among the app servers, and any of them can publish a command.
//!
//! The broker enforces who may use which topic (`docs/devices.md` gives Mosquitto's ACL); on
//! receipt the topic is checked again (well-formed, a known device). An external broker does
//! not tell its clients when devices come and go, so devices announce it: a birth message
//! `{"online": true, "sid": …}` on their status topic after connecting, and the same with
//! `false` as their last will.
//!
//! The event loop never waits for the consumer. It is what sends our acknowledgements to the
//! broker, and the consumer acknowledges only after its batch commits: were the loop to wait for
//! room in the consumer's queue while the consumer waits for room to acknowledge, both would wait
//! forever (BENCHMARKS.md: with an unlimited in-flight window, nothing was applied after the
//! first seconds). So what arrives goes to an unbounded queue; what bounds it is the broker's
//! in-flight window for the app servers (`max_inflight_messages`, docs/devices.md): the broker
//! sends no more unacknowledged messages than that, and keeps the rest queued.

use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use serde_json::Value;
use tokio::sync::mpsc;

use super::{Delivery, Kind, Receipt, Topics, Up};
use crate::server::{clock::now_ms, config::MqttUrl, secret::random_hex};

/// A client for the broker of `url` (not yet connected: [`run`] drives it).
pub fn client(url: &MqttUrl) -> (AsyncClient, EventLoop) {
    let mut options = MqttOptions::new(format!("backoffice-{}", random_hex(6)), url.host.clone(), url.port);
    options
        .set_keep_alive(Duration::from_secs(30))
        .set_clean_session(true)
        .set_manual_acks(true)
        .set_max_packet_size(64 * 1024, 64 * 1024)
        .set_inflight(1000);
    if !url.username.is_empty() {
        options.set_credentials(url.username.clone(), url.password.expose().to_owned());
    }
    AsyncClient::new(options, 10_000)
}

/// Drives the connection for the life of the server: subscribes on every (re)connection and
/// passes what the devices send to the consumer.
pub async fn run(
    mut eventloop: EventLoop,
    client: AsyncClient,
    topics: Topics,
    group: String,
    deliveries: mpsc::UnboundedSender<Delivery>,
    running: super::Running,
) {
    let filters: Vec<String> = [Kind::State, Kind::Telemetry, Kind::Ack, Kind::Status]
        .iter()
        .map(|k| format!("$share/{group}/{}/+/{}", topics.root, k.as_str()))
        .collect();
    let mut connected = false;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("connected to the MQTT broker");
                connected = true;
                running.set(true);
                // A clean session forgets subscriptions: subscribe again every time. `try_`:
                // this loop is what empties the request queue, so it must never wait on it.
                for filter in &filters {
                    if let Err(e) = client.try_subscribe(filter.clone(), QoS::AtLeastOnce) {
                        tracing::warn!(error = %e, "subscribing on the MQTT broker failed");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let at = now_ms();
                let up = topics.parse_up(&publish.topic).map(|(name, kind)| up(name, kind, &publish.payload));
                match up {
                    Some(up) => {
                        let receipt = Receipt::External(client.clone(), publish);
                        if deliveries.send(Delivery { up, at, receipt }).is_err() {
                            return;
                        }
                    }
                    None => {
                        let _ = client.try_ack(&publish);
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                if connected {
                    tracing::warn!(error = %e, "the MQTT broker connection was lost; reconnecting");
                    connected = false;
                    running.set(false);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// A message as the consumer takes it: status announcements become online/offline.
fn up(name: &str, kind: Kind, payload: &bytes::Bytes) -> Up {
    let name = name.to_owned();
    if kind == Kind::Status {
        let json: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
        let session = json.get("sid").and_then(Value::as_str).unwrap_or_default().to_owned();
        match json.get("online").and_then(Value::as_bool) {
            Some(true) => return Up::Online { name, session, ip: None },
            Some(false) => return Up::Offline { name, session },
            None => {}
        }
    }
    Up::Message { name, kind, payload: payload.clone() }
}

/// Moves what the event loop received to the consumer's queue, waiting for room there (the
/// event loop itself never waits: see the module's documentation).
pub async fn forward(mut received: mpsc::UnboundedReceiver<Delivery>, deliveries: mpsc::Sender<Delivery>) {
    while let Some(d) = received.recv().await {
        if deliveries.send(d).await.is_err() {
            return;
        }
    }
}
