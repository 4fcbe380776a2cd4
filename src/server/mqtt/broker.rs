//! The embedded MQTT broker (`MQTT_LISTEN`, default `127.0.0.1:1883`).
//!
//! Why our own and not a broker crate: devices here only ever talk to the platform, never to
//! each other, so routing is two maps (device → app, app → device), and what matters is exactly
//! what the general brokers leave out — a login checked against the device's derived password,
//! topics limited to the device's own, and connect/disconnect seen first-hand
//! (`docs/plans/mqtt-research.md` compares rumqttd, rmqtt and ntex-mqtt). The wire format is
//! rumqttc's MQTT 3.1.1 codec.
//!
//! What it does: MQTT 3.1.1 over TCP; QoS 0 and 1 (a QoS 2 publish closes the connection);
//! clean sessions only (commands wait in the database, not in the broker); keepalive (silence
//! for 1.5 × the interval closes); last will (published into the app when a connection ends
//! without DISCONNECT; only on the device's own topics); a second connection of a device takes
//! over from the first. A device may publish only on `{root}/{name}/{state|telemetry|ack|status}`
//! and subscribe only to `{root}/{name}/cmd`; publishing elsewhere closes its connection.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use bytes::{Bytes, BytesMut};
use rumqttc::{
    mqttbytes::{self, v4::Packet, QoS},
    ConnAck, ConnectReturnCode, PubAck, Publish, SubAck, SubscribeReasonCode, UnsubAck,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};

use super::{split_name, Delivery, Receipt, Sent, Topics, Up};
use crate::server::{clock::now_ms, db::Sql, secret::random_hex, state::Ctx};

/// Largest packet a device may send (a telemetry report is a few hundred bytes).
const MAX_PACKET: usize = 64 * 1024;
/// Packets waiting to be written to one device; a device that falls this far behind loses
/// what does not fit (commands stay open in the database and are sent again).
const OUTBOX_DEPTH: usize = 64;
/// How long a new connection may take to send CONNECT.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the app writes to one device's connection.
#[derive(Debug)]
enum Out {
    Publish(String, Bytes),
    PubAck(u16),
    Close,
}

/// The write side of one device's connection.
#[derive(Debug, Clone)]
pub struct Outbox(mpsc::Sender<Out>);

impl Outbox {
    pub fn puback(&self, pkid: u16) {
        let _ = self.0.try_send(Out::PubAck(pkid));
    }
}

#[derive(Debug)]
struct Conn {
    id: u64,
    outbox: Outbox,
    listening: bool,
}

/// The connected devices, by login name.
#[derive(Debug, Clone, Default)]
pub struct Registry(Arc<Mutex<HashMap<String, Conn>>>);

impl Registry {
    /// Hands a command to the device's connection, if it is connected and subscribed.
    pub(super) fn send(&self, name: &str, topic: String, payload: Bytes) -> Sent {
        let map = self.0.lock().expect("registry lock");
        match map.get(name) {
            Some(conn) if conn.listening => match conn.outbox.0.try_send(Out::Publish(topic, payload)) {
                Ok(()) => Sent::Handed,
                Err(_) => Sent::NotConnected,
            },
            _ => Sent::NotConnected,
        }
    }

    /// Records a connection, closing the one it replaces.
    fn register(&self, name: &str, id: u64, outbox: Outbox) {
        let old = self.0.lock().expect("registry lock").insert(name.to_owned(), Conn { id, outbox, listening: false });
        if let Some(old) = old {
            let _ = old.outbox.0.try_send(Out::Close);
        }
    }

    fn set_listening(&self, name: &str, id: u64) {
        if let Some(conn) = self.0.lock().expect("registry lock").get_mut(name) {
            if conn.id == id {
                conn.listening = true;
            }
        }
    }

    /// Forgets connection `id`; whether it was still the device's current one.
    fn unregister(&self, name: &str, id: u64) -> bool {
        let mut map = self.0.lock().expect("registry lock");
        if map.get(name).is_some_and(|c| c.id == id) {
            map.remove(name);
            true
        } else {
            false
        }
    }

    /// How many devices are connected.
    pub fn len(&self) -> usize {
        self.0.lock().expect("registry lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What every connection task shares.
struct Shared {
    ctx: Ctx,
    registry: Registry,
    topics: Topics,
    deliveries: mpsc::Sender<Delivery>,
    next_id: AtomicU64,
}

/// Accepts devices on `listener` for the life of the server.
pub async fn serve(
    listener: TcpListener,
    ctx: Ctx,
    registry: Registry,
    topics: Topics,
    deliveries: mpsc::Sender<Delivery>,
    _running: super::Running,
) {
    let shared = Arc::new(Shared { ctx, registry, topics, deliveries, next_id: AtomicU64::new(1) });
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, peer, shared.clone()));
            }
            Err(e) => {
                // Out of file descriptors, typically: wait a little rather than spin.
                tracing::warn!(error = %e, "MQTT accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Why a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// DISCONNECT: the will is dropped.
    Clean,
    /// Anything else: the will is published.
    Unclean(&'static str),
    /// Another connection of the same device took over.
    Replaced,
}

async fn connection(mut stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let mut buf = BytesMut::with_capacity(1024);
    let connect = match tokio::time::timeout(CONNECT_TIMEOUT, read_packet(&mut stream, &mut buf)).await {
        Ok(Ok(Packet::Connect(c))) => c,
        _ => return,
    };
    if connect.protocol != mqttbytes::Protocol::V4 {
        let _ =
            write(&mut stream, Packet::ConnAck(ConnAck::new(ConnectReturnCode::RefusedProtocolVersion, false))).await;
        return;
    }
    let name = match authenticate(&shared.ctx, &connect).await {
        Ok(name) => name,
        Err(code) => {
            tracing::info!(%peer, client_id = %connect.client_id, ?code, "MQTT login refused");
            let _ = write(&mut stream, Packet::ConnAck(ConnAck::new(code, false))).await;
            return;
        }
    };
    if write(&mut stream, Packet::ConnAck(ConnAck::new(ConnectReturnCode::Success, false))).await.is_err() {
        return;
    }
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let session = random_hex(8);
    let (tx, rx) = mpsc::channel(OUTBOX_DEPTH);
    let outbox = Outbox(tx);
    shared.registry.register(&name, id, outbox.clone());
    deliver(
        &shared,
        Up::Online { name: name.clone(), session: session.clone(), ip: Some(peer.ip().to_string()) },
        Receipt::None,
    )
    .await;

    let keep_alive = (connect.keep_alive > 0).then(|| Duration::from_millis(u64::from(connect.keep_alive) * 1500));
    let end = session_loop(&mut stream, buf, rx, &shared, &name, id, outbox, keep_alive).await;

    let current = shared.registry.unregister(&name, id);
    if let (End::Unclean(why), Some(will)) = (&end, connect.last_will) {
        tracing::debug!(%name, why, "MQTT connection lost: publishing its will");
        if let Some((_, kind)) = shared.topics.parse_up(&will.topic).filter(|(n, _)| *n == name) {
            deliver(&shared, Up::Message { name: name.clone(), kind, payload: will.message }, Receipt::None).await;
        }
    }
    if current {
        deliver(&shared, Up::Offline { name, session }, Receipt::None).await;
    }
}

/// Checks the login: the name must be a device of a product, the password the one derived from
/// that product's key, and the client id empty or the name itself (so a device's id is its own).
async fn authenticate(ctx: &Ctx, connect: &rumqttc::Connect) -> Result<String, ConnectReturnCode> {
    let login = connect.login.as_ref().ok_or(ConnectReturnCode::BadUserNamePassword)?;
    if !connect.client_id.is_empty() && connect.client_id != login.username {
        return Err(ConnectReturnCode::BadClientId);
    }
    let (product_id, mac) = split_name(&login.username).ok_or(ConnectReturnCode::BadUserNamePassword)?;
    let row: Option<(String,)> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT p.key FROM devices d JOIN products p ON p.id = d.product_id \
                 WHERE d.product_id = $1 AND d.mac = $2",
            )
            .bind(product_id.to_owned())
            .bind(mac.to_ascii_uppercase()),
        )
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "MQTT login: the device lookup failed");
            ConnectReturnCode::ServiceUnavailable
        })?;
    let (key,) = row.ok_or(ConnectReturnCode::BadUserNamePassword)?;
    if !super::password_matches(&key, &login.username, &login.password) {
        return Err(ConnectReturnCode::BadUserNamePassword);
    }
    Ok(login.username.clone())
}

#[allow(clippy::too_many_arguments)]
async fn session_loop(
    stream: &mut TcpStream,
    mut buf: BytesMut,
    mut rx: mpsc::Receiver<Out>,
    shared: &Shared,
    name: &str,
    id: u64,
    outbox: Outbox,
    keep_alive: Option<Duration>,
) -> End {
    let (mut reader, mut writer) = stream.split();
    let mut next_pkid: u16 = 0;
    let mut deadline = keep_alive.map(|k| tokio::time::Instant::now() + k);
    loop {
        // Every whole packet already buffered, first.
        loop {
            match Packet::read(&mut buf, MAX_PACKET) {
                Ok(packet) => {
                    if let Some(k) = keep_alive {
                        deadline = Some(tokio::time::Instant::now() + k);
                    }
                    match handle(packet, shared, name, id, &outbox, &mut writer).await {
                        Ok(None) => {}
                        Ok(Some(end)) => return end,
                        Err(()) => return End::Unclean("write failed"),
                    }
                }
                Err(mqttbytes::Error::InsufficientBytes(_)) => break,
                Err(_) => return End::Unclean("malformed packet"),
            }
        }
        let silence = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = reader.read_buf(&mut buf) => match read {
                Ok(0) | Err(_) => return End::Unclean("connection lost"),
                Ok(_) => {}
            },
            out = rx.recv() => match out {
                Some(Out::Publish(topic, payload)) => {
                    next_pkid = next_pkid.checked_add(1).unwrap_or(1);
                    let mut publish = Publish::from_bytes(topic, QoS::AtLeastOnce, payload);
                    publish.pkid = next_pkid;
                    if write_half(&mut writer, Packet::Publish(publish)).await.is_err() {
                        return End::Unclean("write failed");
                    }
                }
                Some(Out::PubAck(pkid)) => {
                    if write_half(&mut writer, Packet::PubAck(PubAck::new(pkid))).await.is_err() {
                        return End::Unclean("write failed");
                    }
                }
                Some(Out::Close) | None => return End::Replaced,
            },
            () = silence => return End::Unclean("keepalive expired"),
        }
    }
}

/// One packet from the device; `Some` when the connection is to end.
async fn handle(
    packet: Packet,
    shared: &Shared,
    name: &str,
    id: u64,
    outbox: &Outbox,
    writer: &mut tokio::net::tcp::WriteHalf<'_>,
) -> Result<Option<End>, ()> {
    match packet {
        Packet::Publish(publish) => {
            let Some((_, kind)) = shared.topics.parse_up(&publish.topic).filter(|(n, _)| *n == name) else {
                tracing::warn!(%name, topic = %publish.topic, "MQTT publish outside the device's own topics: closing");
                return Ok(Some(End::Unclean("publish refused")));
            };
            let receipt = match publish.qos {
                QoS::AtMostOnce => Receipt::None,
                QoS::AtLeastOnce => Receipt::Embedded(outbox.clone(), publish.pkid),
                QoS::ExactlyOnce => return Ok(Some(End::Unclean("QoS 2 is not supported"))),
            };
            deliver(shared, Up::Message { name: name.to_owned(), kind, payload: publish.payload }, receipt).await;
            Ok(None)
        }
        Packet::Subscribe(subscribe) => {
            let own = shared.topics.command(name);
            let codes = subscribe
                .filters
                .iter()
                .map(|f| {
                    if f.path == own {
                        SubscribeReasonCode::Success(if f.qos == QoS::AtMostOnce {
                            QoS::AtMostOnce
                        } else {
                            QoS::AtLeastOnce
                        })
                    } else {
                        SubscribeReasonCode::Failure
                    }
                })
                .collect::<Vec<_>>();
            let listening = codes.iter().any(|c| matches!(c, SubscribeReasonCode::Success(_)));
            write_half(writer, Packet::SubAck(SubAck::new(subscribe.pkid, codes))).await?;
            if listening {
                shared.registry.set_listening(name, id);
                deliver(shared, Up::Listening { name: name.to_owned() }, Receipt::None).await;
            }
            Ok(None)
        }
        Packet::Unsubscribe(unsubscribe) => {
            write_half(writer, Packet::UnsubAck(UnsubAck::new(unsubscribe.pkid))).await?;
            Ok(None)
        }
        Packet::PingReq => {
            write_half(writer, Packet::PingResp).await?;
            Ok(None)
        }
        Packet::Disconnect => Ok(Some(End::Clean)),
        // Acknowledgements of our commands: the answer that counts comes on the ack topic.
        Packet::PubAck(_) => Ok(None),
        Packet::Connect(_) => Ok(Some(End::Unclean("second CONNECT"))),
        _ => Ok(Some(End::Unclean("unexpected packet"))),
    }
}

/// Passes an event to the consumer; waits when it is behind (which slows the devices down
/// rather than losing what they sent).
async fn deliver(shared: &Shared, up: Up, receipt: Receipt) {
    let _ = shared.deliveries.send(Delivery { up, at: now_ms(), receipt }).await;
}

async fn read_packet(stream: &mut TcpStream, buf: &mut BytesMut) -> Result<Packet, ()> {
    loop {
        match Packet::read(buf, MAX_PACKET) {
            Ok(p) => return Ok(p),
            Err(mqttbytes::Error::InsufficientBytes(_)) => {}
            Err(_) => return Err(()),
        }
        match stream.read_buf(buf).await {
            Ok(0) | Err(_) => return Err(()),
            Ok(_) => {}
        }
    }
}

async fn write(stream: &mut TcpStream, packet: Packet) -> Result<(), ()> {
    let mut out = BytesMut::new();
    packet.write(&mut out, MAX_PACKET).map_err(|_| ())?;
    stream.write_all(&out).await.map_err(|_| ())
}

async fn write_half(writer: &mut tokio::net::tcp::WriteHalf<'_>, packet: Packet) -> Result<(), ()> {
    let mut out = BytesMut::new();
    packet.write(&mut out, MAX_PACKET).map_err(|_| ())?;
    writer.write_all(&out).await.map_err(|_| ())
}
