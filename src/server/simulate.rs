//! `backoffice simulate`: virtual water purifiers for demos, tests and the benchmark. Each one
//! is a real MQTT client with its own derived password, so it goes through exactly what a
//! device does: it connects (with a last will), announces itself, reports its state, sends
//! telemetry with plausible use (a few hundred millilitres a draw, filters wearing with work
//! time), and obeys commands (lock, unlock, dispense, reset a filter, set a parameter) with an
//! answer.

use std::{
    collections::{HashSet, VecDeque},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Outgoing, Packet, QoS};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::{
    model::telemetry::Credentials,
    server::{mqtt, secret::random_hex},
};

/// What `simulate` was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub product_id: String,
    pub devices: usize,
    /// Telemetry messages a second, all devices together.
    pub rate: f64,
    /// `host:port`; default: the configured broker.
    pub broker: Option<String>,
    /// Add the product's missing devices first.
    pub create: bool,
    /// Stop after this long (default: run until interrupted).
    pub duration: Option<Duration>,
}

/// Counters the run prints every few seconds.
#[derive(Default)]
pub struct Counts {
    pub connected: AtomicU64,
    pub published: AtomicU64,
    /// Telemetry reports the broker acknowledged (the embedded one does so after they are
    /// stored): with `published`, what a benchmark compares with what was applied.
    pub acked: AtomicU64,
    pub commands: AtomicU64,
}

/// Runs `credentials.len()` devices against `broker` until `plan.duration` passes (or forever).
pub async fn run(broker: &str, plan: &Plan, credentials: Vec<Credentials>) {
    let counts = Arc::new(Counts::default());
    let (host, port) = match broker.rsplit_once(':').and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?))) {
        Some(hp) => hp,
        None => {
            eprintln!("simulate: --broker must be host:port, got {broker:?}");
            return;
        }
    };
    let n = credentials.len().max(1);
    // Each device reports every n / rate seconds; starts are spread over one period so the
    // load is even from the first second.
    let period = Duration::from_secs_f64((n as f64 / plan.rate.max(0.001)).max(0.01));
    let started = Instant::now();
    let (stop, stopped) = watch::channel(false);
    let mut fleet = Vec::with_capacity(n);
    for (i, creds) in credentials.into_iter().enumerate() {
        let offset = period.mul_f64(i as f64 / n as f64);
        fleet.push(tokio::spawn(device(host.clone(), port, creds, period, offset, counts.clone(), stopped.clone())));
        // Connect in waves of 100 a few milliseconds apart, not all in one instant.
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut last = 0;
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    tick.tick().await;
    let line = |counts: &Counts, rate: f64| {
        format!(
            "{:>6.0}s  connected {:>6}  messages {:>9} ({rate:.0}/s)  acked {:>9}  commands {}",
            started.elapsed().as_secs_f64(),
            counts.connected.load(Ordering::Relaxed),
            counts.published.load(Ordering::Relaxed),
            counts.acked.load(Ordering::Relaxed),
            counts.commands.load(Ordering::Relaxed),
        )
    };
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let published = counts.published.load(Ordering::Relaxed);
                println!("{}", line(&counts, (published - last) as f64 / 5.0));
                last = published;
            }
            _ = tokio::signal::ctrl_c() => break,
        }
        if plan.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
    }
    // Stop publishing, let the reports in flight be acknowledged, then say the totals.
    let _ = stop.send(true);
    for device in fleet {
        let _ = tokio::time::timeout(Duration::from_secs(10), device).await;
    }
    println!("{}  (stopped)", line(&counts, 0.0));
}

/// A purifier's counters, as it keeps them.
struct Purifier {
    power_on_minutes: i64,
    work_minutes: i64,
    water_ml: i64,
    filters: [(i64, i64); 3],
    locked: bool,
    /// The last report's number (reports are numbered from 1 at every start).
    seq: i64,
}

impl Purifier {
    /// The next report (numbered one more than the last sent).
    fn report(&self) -> Value {
        json!({
            "seq": self.seq + 1,
            "power_on_minutes": self.power_on_minutes,
            "work_minutes": self.work_minutes,
            "water_ml": self.water_ml,
            "tds_in": 280 + (self.water_ml / 7) % 60,
            "tds_out": 8 + (self.filters[0].0 / 600).min(40),
            "filters": self.filters.iter().enumerate().map(|(i, (minutes, ml))| {
                json!({ "order": i + 1, "used_minutes": minutes, "used_ml": ml })
            }).collect::<Vec<_>>(),
        })
    }

    /// One draw of water: 150–500 ml, a minute of work.
    fn draw(&mut self, ml: i64) {
        self.water_ml += ml;
        self.work_minutes += 1;
        self.power_on_minutes += 5;
        for f in &mut self.filters {
            f.0 += 1;
            f.1 += ml;
        }
    }
}

async fn device(
    host: String,
    port: u16,
    creds: Credentials,
    period: Duration,
    offset: Duration,
    counts: Arc<Counts>,
    mut stop: watch::Receiver<bool>,
) {
    let sid = random_hex(4);
    let mut options = MqttOptions::new(creds.client_id.clone(), host, port);
    options
        .set_credentials(creds.username.clone(), creds.password.clone())
        .set_keep_alive(Duration::from_secs(60))
        .set_last_will(LastWill::new(
            creds.status_topic.clone(),
            json!({ "online": false, "sid": sid }).to_string(),
            QoS::AtLeastOnce,
            false,
        ));
    let (client, mut eventloop) = AsyncClient::new(options, 64);
    let seed = creds.username.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut state = Purifier {
        power_on_minutes: 1000 + (seed % 5000) as i64,
        work_minutes: 100 + (seed % 700) as i64,
        water_ml: 50_000 + (seed % 400_000) as i64,
        filters: [(100, 50_000), (80, 40_000), (20, 10_000)],
        locked: false,
        seq: 0,
    };
    let mut next = tokio::time::Instant::now() + offset;
    let mut draws = seed;
    let mut up = false;
    // Which publishes are telemetry, in the order the client sends them, then by packet id
    // until the broker acknowledges them.
    let mut queued: VecDeque<bool> = VecDeque::new();
    let mut in_flight: HashSet<u16> = HashSet::new();
    let mut stopping: Option<tokio::time::Instant> = None;
    let publish = |queued: &mut VecDeque<bool>, topic: &str, payload: String, telemetry: bool| {
        let ok = client.try_publish(topic, QoS::AtLeastOnce, false, payload).is_ok();
        if ok {
            queued.push_back(telemetry);
        }
        ok
    };
    loop {
        if let Some(since) = stopping {
            if (queued.is_empty() && in_flight.is_empty()) || since.elapsed() > Duration::from_secs(5) {
                let _ = client.try_disconnect();
                let _ = tokio::time::timeout(Duration::from_secs(1), eventloop.poll()).await;
                return;
            }
        }
        tokio::select! {
            _ = stop.changed(), if stopping.is_none() => stopping = Some(tokio::time::Instant::now()),
            event = eventloop.poll() => match event {
                Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                    if queued.pop_front() == Some(true) {
                        in_flight.insert(pkid);
                    }
                }
                Ok(Event::Incoming(Packet::PubAck(ack))) => {
                    if in_flight.remove(&ack.pkid) {
                        counts.acked.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    up = true;
                    counts.connected.fetch_add(1, Ordering::Relaxed);
                    let _ = client.try_subscribe(creds.command_topic.clone(), QoS::AtLeastOnce);
                    publish(&mut queued, &creds.status_topic, json!({ "online": true, "sid": sid }).to_string(), false);
                    publish(&mut queued, &creds.state_topic, json!({
                        "firmware_mod": "purifier-fw", "firmware_version": 12, "mcu_mod": "stm32", "mcu_version": 4,
                        "run_state": 0, "locked": state.locked,
                    }).to_string(), false);
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    counts.commands.fetch_add(1, Ordering::Relaxed);
                    let answer = obey(&mut state, &p.payload);
                    publish(&mut queued, &creds.ack_topic, answer.to_string(), false);
                    publish(&mut queued, &creds.state_topic, json!({ "locked": state.locked, "run_state": 0 }).to_string(), false);
                    if publish(&mut queued, &creds.telemetry_topic, state.report().to_string(), true) {
                        state.seq += 1;
                        counts.published.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(_) => {
                    // rumqttc reconnects on the next poll; count the device out meanwhile.
                    if std::mem::take(&mut up) {
                        counts.connected.fetch_sub(1, Ordering::Relaxed);
                    }
                    // What was in flight is resent (or lost) by the client: no longer ours to count.
                    queued.clear();
                    in_flight.clear();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Ok(_) => {}
            },
            () = tokio::time::sleep_until(next), if stopping.is_none() => {
                next += period;
                if !state.locked {
                    draws = draws.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    state.draw(150 + (draws >> 33) as i64 % 350);
                }
                if publish(&mut queued, &creds.telemetry_topic, state.report().to_string(), true) {
                    state.seq += 1;
                    counts.published.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Does what a command says and answers it.
fn obey(state: &mut Purifier, payload: &[u8]) -> Value {
    let command: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    let id = command.get("id").cloned().unwrap_or(Value::Null);
    let params = command.get("params").cloned().unwrap_or(Value::Null);
    match command.get("cmd").and_then(Value::as_str) {
        Some("lock") => state.locked = true,
        Some("unlock") => state.locked = false,
        Some("dispense") if state.locked => return json!({ "id": id, "ok": false, "error": "locked" }),
        Some("dispense") => state.draw(params.get("volume_ml").and_then(Value::as_i64).unwrap_or(0)),
        Some("reset_filter") => {
            let order = params.get("order").and_then(Value::as_i64).unwrap_or(0);
            match usize::try_from(order - 1).ok().and_then(|i| state.filters.get_mut(i)) {
                Some(f) => *f = (0, 0),
                None => return json!({ "id": id, "ok": false, "error": format!("no filter {order}") }),
            }
        }
        Some("set_param") => {}
        _ => return json!({ "id": id, "ok": false, "error": "unknown command" }),
    }
    json!({ "id": id, "ok": true })
}

/// The credentials of every simulated device.
pub fn credentials(
    topics: &mqtt::Topics,
    broker: &str,
    key: &str,
    product_id: &str,
    macs: &[String],
) -> Vec<Credentials> {
    macs.iter().map(|mac| mqtt::credentials(topics, broker, key, product_id, mac)).collect()
}
