//! Device connectivity over MQTT (issue 16; `docs/devices.md` is the devices' side of it).
//!
//! Devices speak MQTT 3.1.1 to a broker: by default the one embedded here ([`broker`], on
//! `MQTT_LISTEN`), or, to scale out, an external broker or cluster that every app server joins
//! as a client with a shared subscription ([`external`], `MQTT_URL`). Either way what the devices
//! send arrives as [`Delivery`]s on one channel, and [`ingest`] applies them to the database in
//! batches; commands go the other way through [`Bus::send`].
//!
//! A device is named by its product and MAC: it logs in as `{product_id}.{MAC}` with a password
//! derived from the product's key ([`password`]), and may use only the topics under
//! `{root}/{product_id}.{MAC}/` ([`Topics`]).

pub mod broker;
pub mod external;
pub mod ingest;

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::model::telemetry::Credentials;

/// What a device publishes on, after `{root}/{name}/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Versions, run state, lock state, location.
    State,
    /// Counters: power-on and work minutes, water, water quality, filters.
    Telemetry,
    /// The answer to a command.
    Ack,
    /// `{"online": true|false, "sid": …}`: birth message and last will (how an external broker
    /// tells us a device came and went; the embedded broker knows it first-hand).
    Status,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::State => "state",
            Kind::Telemetry => "telemetry",
            Kind::Ack => "ack",
            Kind::Status => "status",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Kind::State, Kind::Telemetry, Kind::Ack, Kind::Status].into_iter().find(|k| k.as_str() == s)
    }
}

/// The leaf a device subscribes to for its commands.
pub const COMMAND_LEAF: &str = "cmd";

/// The topic tree's root (`MQTT_TOPIC_ROOT`, default `d`): `{root}/{name}/{leaf}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    pub root: String,
}

impl Topics {
    pub fn topic(&self, name: &str, leaf: &str) -> String {
        format!("{}/{name}/{leaf}", self.root)
    }

    pub fn command(&self, name: &str) -> String {
        self.topic(name, COMMAND_LEAF)
    }

    /// The device name and kind of an upward topic; `None` for anything else.
    pub fn parse_up<'t>(&self, topic: &'t str) -> Option<(&'t str, Kind)> {
        let rest = topic.strip_prefix(self.root.as_str())?.strip_prefix('/')?;
        let (name, leaf) = rest.split_once('/')?;
        if name.is_empty() || leaf.contains('/') {
            return None;
        }
        Some((name, Kind::parse(leaf)?))
    }
}

/// The login name of a device: `{product_id}.{MAC}` (no `/`, `+`, `#`: a whole topic level).
pub fn device_name(product_id: &str, mac: &str) -> String {
    format!("{product_id}.{mac}")
}

/// The product id and MAC of a login name, if it has that shape.
pub fn split_name(name: &str) -> Option<(&str, &str)> {
    let (product_id, mac) = name.split_once('.')?;
    let ok = !product_id.is_empty()
        && product_id.bytes().all(|b| b.is_ascii_alphanumeric())
        && mac.len() == 12
        && mac.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then_some((product_id, mac))
}

/// A device's MQTT password: HMAC-SHA256 of its login name under the product's key, as 64
/// lower-case hex digits. Anyone holding the product key can derive it (a factory flashing
/// devices does); the key never travels, and one device's password says nothing of another's.
pub fn password(product_key: &str, name: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(product_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(name.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the device's password, compared in constant time.
pub fn password_matches(product_key: &str, name: &str, given: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(product_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(name.as_bytes());
    let Some(given) = decode_hex(given) else { return false };
    mac.verify_slice(&given).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// What a device of `product_id` with `mac` connects with, to `broker`.
pub fn credentials(topics: &Topics, broker: &str, product_key: &str, product_id: &str, mac: &str) -> Credentials {
    let name = device_name(product_id, mac);
    Credentials {
        broker: broker.to_owned(),
        client_id: name.clone(),
        password: password(product_key, &name),
        state_topic: topics.topic(&name, Kind::State.as_str()),
        telemetry_topic: topics.topic(&name, Kind::Telemetry.as_str()),
        ack_topic: topics.topic(&name, Kind::Ack.as_str()),
        status_topic: topics.topic(&name, Kind::Status.as_str()),
        command_topic: topics.command(&name),
        username: name,
    }
}

/// One thing a device did, whichever broker carried it.
#[derive(Debug)]
pub enum Up {
    /// The device connected (embedded broker) or said so on its status topic (external).
    /// `ip`: the device's address, when the broker saw it.
    Online { name: String, session: String, ip: Option<String> },
    /// Its connection ended (cleanly or by its last will).
    Offline { name: String, session: String },
    /// It subscribed to its command topic: commands still open can be (re)sent.
    Listening { name: String },
    /// A message on one of its topics.
    Message { name: String, kind: Kind, payload: Bytes },
}

/// An [`Up`] with the time it arrived (ms) and what to tell the broker once it is applied.
#[derive(Debug)]
pub struct Delivery {
    pub up: Up,
    pub at: i64,
    pub receipt: Receipt,
}

/// How a QoS 1 message is acknowledged to its broker: only after the database has it, so a
/// crash between receipt and commit makes the broker (or the device) send it again.
#[derive(Debug)]
pub enum Receipt {
    None,
    /// PUBACK `pkid` on the device's connection in the embedded broker.
    Embedded(broker::Outbox, u16),
    /// `ack` the publish on the external broker's connection.
    External(rumqttc::AsyncClient, rumqttc::Publish),
}

impl Receipt {
    pub async fn acknowledge(self) {
        match self {
            Receipt::None => {}
            Receipt::Embedded(outbox, pkid) => outbox.puback(pkid),
            Receipt::External(client, publish) => {
                if let Err(e) = client.ack(&publish).await {
                    tracing::debug!(error = %e, "acknowledging to the MQTT broker failed (it will resend)");
                }
            }
        }
    }
}

/// The app's side of the broker: sends commands to devices, says where devices connect, and
/// whether the MQTT side works. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Bus {
    link: Arc<Link>,
    live: Arc<Liveness>,
}

/// Whether each running part of the MQTT side is up, for `/readyz` and `/metrics`.
#[derive(Debug, Default)]
struct Liveness {
    /// The embedded broker accepts devices, or the external broker's connection is up.
    broker: AtomicBool,
    /// The consumer applies what devices send to the database.
    consumer: AtomicBool,
}

/// One part of the MQTT side, marked up for as long as this is held (a task that ends or
/// panics drops it, and the part is down).
pub struct Running {
    live: Arc<Liveness>,
    consumer: bool,
}

impl Running {
    /// Marks the part up (`true`) or down: an external broker's connection comes and goes.
    pub fn set(&self, up: bool) {
        let flag = if self.consumer { &self.live.consumer } else { &self.live.broker };
        flag.store(up, Ordering::SeqCst);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.set(false);
    }
}

#[derive(Debug)]
enum Link {
    Off,
    Embedded { registry: broker::Registry, address: String, topics: Topics },
    External { client: rumqttc::AsyncClient, address: String, topics: Topics },
}

/// What became of a command handed to [`Bus::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// On its way to the device.
    Handed,
    /// The device is not connected here (or not listening yet): it gets it when it is.
    NotConnected,
}

impl Bus {
    /// No broker (command-line tasks, `MQTT_LISTEN=off` without `MQTT_URL`).
    pub fn off() -> Self {
        Bus { link: Arc::new(Link::Off), live: Arc::default() }
    }

    fn embedded(registry: broker::Registry, address: String, topics: Topics) -> Self {
        Bus { link: Arc::new(Link::Embedded { registry, address, topics }), live: Arc::default() }
    }

    fn external(client: rumqttc::AsyncClient, address: String, topics: Topics) -> Self {
        Bus { link: Arc::new(Link::External { client, address, topics }), live: Arc::default() }
    }

    pub fn is_off(&self) -> bool {
        matches!(*self.link, Link::Off)
    }

    /// Publishes `payload` on the device's command topic (QoS 1).
    pub async fn send(&self, name: &str, payload: Vec<u8>) -> Sent {
        match &*self.link {
            Link::Off => Sent::NotConnected,
            Link::Embedded { registry, topics, .. } => registry.send(name, topics.command(name), payload.into()),
            Link::External { client, topics, .. } => {
                match client.publish(topics.command(name), rumqttc::QoS::AtLeastOnce, false, payload).await {
                    Ok(()) => Sent::Handed,
                    Err(e) => {
                        tracing::warn!(error = %e, "publishing a command to the MQTT broker failed");
                        Sent::NotConnected
                    }
                }
            }
        }
    }

    /// What a device of `product_id` with `mac` connects with.
    pub fn credentials(&self, product_key: &str, product_id: &str, mac: &str) -> Credentials {
        match &*self.link {
            Link::Off => credentials(&Topics { root: "d".into() }, "", product_key, product_id, mac),
            Link::Embedded { address, topics, .. } | Link::External { address, topics, .. } => {
                credentials(topics, address, product_key, product_id, mac)
            }
        }
    }

    /// Whether the MQTT side can do its work: no broker is configured, or the broker (embedded:
    /// accepting; external: connected) and the consumer both run.
    pub fn is_ready(&self) -> bool {
        self.is_off() || (self.live.broker.load(Ordering::SeqCst) && self.live.consumer.load(Ordering::SeqCst))
    }

    /// How many devices are connected to the embedded broker (`None` in the other modes: an
    /// external broker counts its own).
    pub fn connections(&self) -> Option<usize> {
        match &*self.link {
            Link::Embedded { registry, .. } => Some(registry.len()),
            _ => None,
        }
    }

    /// Marks a part of the MQTT side up while the returned guard lives (see [`Running`]).
    fn running(&self, consumer: bool, up: bool) -> Running {
        let running = Running { live: self.live.clone(), consumer };
        running.set(up);
        running
    }

    /// The embedded broker's address (`None` in the other modes).
    pub fn embedded_address(&self) -> Option<&str> {
        match &*self.link {
            Link::Embedded { address, .. } => Some(address),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_topics_and_passwords() {
        let topics = Topics { root: "d".into() };
        let name = device_name("0123abcd", "A1B2C3D4E5F6");
        assert_eq!(split_name(&name), Some(("0123abcd", "A1B2C3D4E5F6")));
        assert_eq!(split_name("x.123"), None);
        assert_eq!(split_name("a/b.A1B2C3D4E5F6"), None);
        assert_eq!(topics.parse_up("d/0123abcd.A1B2C3D4E5F6/telemetry"), Some((name.as_str(), Kind::Telemetry)));
        assert_eq!(topics.parse_up("d/0123abcd.A1B2C3D4E5F6/cmd"), None);
        assert_eq!(topics.parse_up("d/x/y/telemetry"), None);
        assert_eq!(topics.parse_up("e/x/state"), None);
        let pw = password("key1", &name);
        assert_eq!(pw.len(), 64);
        assert!(password_matches("key1", &name, &pw));
        assert!(!password_matches("key2", &name, &pw));
        assert!(!password_matches("key1", "other", &pw));
        assert!(!password_matches("key1", &name, "zz"));
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            password("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

/// The broker side of a server being built: [`prepare`] binds and connects what needs no
/// context, [`Prepared::start`] runs it once the context (which holds the [`Bus`]) exists.
pub struct Prepared {
    bus: Bus,
    topics: Topics,
    run: Run,
}

enum Run {
    Off,
    Embedded(tokio::net::TcpListener, broker::Registry),
    External(rumqttc::EventLoop, rumqttc::AsyncClient, String),
}

/// Binds the embedded broker's port or makes the external broker's client, as configured.
pub async fn prepare(config: &crate::server::config::Config) -> std::io::Result<Prepared> {
    use crate::server::config::Mqtt;
    let topics = Topics { root: config.mqtt_topic_root.clone() };
    Ok(match &config.mqtt {
        Mqtt::Off => Prepared { bus: Bus::off(), topics, run: Run::Off },
        Mqtt::Embedded { listen, chosen } => {
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(l) => l,
                // The default port is often another broker's (a Mosquitto already installed):
                // take a free port rather than refuse to start; the address is in the log and
                // in every device's credentials.
                Err(e) if !chosen && e.kind() == std::io::ErrorKind::AddrInUse => {
                    let l = tokio::net::TcpListener::bind((listen.ip(), 0)).await?;
                    tracing::warn!(
                        "MQTT port {listen} is in use; the embedded broker listens on {} instead \
                         (set MQTT_LISTEN to choose)",
                        l.local_addr()?
                    );
                    l
                }
                Err(e) => {
                    return Err(std::io::Error::new(e.kind(), format!("MQTT_LISTEN {listen}: {e}")));
                }
            };
            let address = listener.local_addr()?.to_string();
            tracing::info!(%address, "embedded MQTT broker listening");
            let registry = broker::Registry::default();
            Prepared {
                bus: Bus::embedded(registry.clone(), address, topics.clone()),
                topics,
                run: Run::Embedded(listener, registry),
            }
        }
        Mqtt::External(url) => {
            let (client, eventloop) = external::client(url);
            Prepared {
                bus: Bus::external(client.clone(), format!("{}:{}", url.host, url.port), topics.clone()),
                topics,
                run: Run::External(eventloop, client, url.group.clone()),
            }
        }
    })
}

impl Prepared {
    /// The handle the context carries.
    pub fn bus(&self) -> Bus {
        self.bus.clone()
    }

    /// Starts the broker (or the client), the consumer of what devices send, and the job that
    /// closes commands past their deadline.
    pub fn start(self, ctx: crate::server::state::Ctx) {
        tokio::spawn(crate::server::service::command::expire_continuously(ctx.clone()));
        let (tx, rx) = tokio::sync::mpsc::channel(10_000);
        match self.run {
            Run::Off => return,
            Run::Embedded(listener, registry) => {
                // Up from the start: the port is bound, and the accept loop holds the mark.
                let running = self.bus.running(false, true);
                tokio::spawn(broker::serve(listener, ctx.clone(), registry, self.topics, tx, running));
            }
            Run::External(eventloop, client, group) => {
                // Up once the broker has said CONNACK.
                let running = self.bus.running(false, false);
                let (received, queue) = tokio::sync::mpsc::unbounded_channel();
                tokio::spawn(external::forward(queue, tx));
                tokio::spawn(external::run(eventloop, client, self.topics, group, received, running));
            }
        }
        let consuming = self.bus.running(true, true);
        tokio::spawn(ingest::run(ctx, self.bus, rx, consuming));
    }
}
