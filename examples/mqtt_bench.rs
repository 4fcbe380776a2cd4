//! Devices over MQTT under load (issue 16): how many device messages a second the server applies,
//! how long one takes from publish to visible in the API, and the server's memory.
//!
//! Three processes, as in production: the **server** (the release binary, on its own database),
//! the **fleet** (`backoffice simulate`: N real MQTT clients, each a purifier with its own
//! derived password, reporting telemetry at a total rate R), and this **probe**. The probe:
//!
//! 1. starts the server (embedded broker on a free port, or `--external mqtt://…`), makes a corp
//!    (`backoffice create-corp`), a product and N + 1 devices over `/v2`;
//! 2. starts the fleet and waits until all N are online in the API (`is_online` count): the
//!    connection storm;
//! 3. for `--seconds`, every 250 ms publishes a telemetry report from device N + 1 with a new
//!    `water_ml` and polls `GET …/telemetry` (every 5 ms) until it shows it: publish → visible;
//! 4. samples the server's RSS every second;
//! 5. stops the fleet (it stops publishing and waits for its reports in flight to be
//!    acknowledged), waits until nothing more is applied, and compares the telemetry rows stored
//!    (`device_messages`) with what the fleet published and what the broker acknowledged.
//!
//! ```text
//! scripts/build-release      # the server, as deployed (or, without the site:
//!                             # LEPTOS_OUTPUT_NAME=backoffice cargo build --release --features ssr --bin backoffice)
//! cargo build --release --features ssr --example mqtt_bench
//! target/release/examples/mqtt_bench --devices 10000 --rate 5000 --seconds 600 \
//!     --database-url sqlite:target/bench/mqtt.db
//! target/release/examples/mqtt_bench --devices 10000 --rate 5000 --seconds 600 \
//!     --database-url postgres://postgres@127.0.0.1:5432/bo_mqtt_bench --external mqtt://127.0.0.1:1883
//! ```
//!
//! `--mosquitto` starts a Mosquitto of the benchmark's own on a free port, configured as
//! `docs/devices.md` says (its queue for the app servers unbounded), instead of `--external`;
//! `--servers N` starts N app servers on the one database, sharing the broker's subscription
//! (external broker only), to see whether a second server raises the rate.
//!
//! ```text
//! target/release/examples/mqtt_bench --devices 10000 --rate 5000 --seconds 600 \
//!     --database-url postgres://postgres@127.0.0.1:5432/bo_mqtt_bench --mosquitto --servers 2
//! ```
//!
//! The database is made fresh (the SQLite file deleted; the PostgreSQL database dropped and
//! created). The report (Markdown) goes to stdout.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use backoffice::server::db::{Db, Sql};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::{io::BufRead, process::Command};

struct Args {
    bin: String,
    database_url: String,
    external: Option<String>,
    mosquitto: bool,
    servers: usize,
    devices: usize,
    rate: f64,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        bin: "target/release/backoffice".into(),
        database_url: "sqlite:target/bench/mqtt.db".into(),
        external: None,
        mosquitto: false,
        servers: 1,
        devices: 10_000,
        rate: 5_000.0,
        seconds: 600,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        if flag == "--mosquitto" {
            a.mosquitto = true;
            continue;
        }
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value")).clone();
        match flag.as_str() {
            "--bin" => a.bin = v,
            "--database-url" => a.database_url = v,
            "--external" => a.external = Some(v),
            "--servers" => a.servers = v.parse().expect("--servers"),
            "--devices" => a.devices = v.parse().expect("--devices"),
            "--rate" => a.rate = v.parse().expect("--rate"),
            "--seconds" => a.seconds = v.parse().expect("--seconds"),
            other => panic!("unknown option {other}"),
        }
    }
    assert!(a.servers == 1 || a.external.is_some() || a.mosquitto, "--servers needs an external broker");
    a
}

/// A Mosquitto of the benchmark's own on `port`, configured as docs/devices.md tells (anonymous:
/// the platform checks every topic again on receipt). Its log goes to target/bench/mosquitto.log.
fn start_mosquitto(port: u16) -> std::process::Child {
    std::fs::create_dir_all("target/bench").unwrap();
    let conf = "target/bench/mosquitto.conf";
    std::fs::write(
        conf,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n\
             max_queued_messages 0\nmax_inflight_messages 1000\nlog_dest file {}/target/bench/mosquitto.log\n",
            std::env::current_dir().unwrap().display()
        ),
    )
    .unwrap();
    // Ten thousand devices need ten thousand sockets: raise the open-file limit as far as it goes.
    let child = Command::new("sh")
        .args(["-c", &format!("ulimit -n $(ulimit -Hn); exec mosquitto -c {conf}")])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("mosquitto (apt install mosquitto)");
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("mosquitto did not start on port {port}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn fresh_database(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite:") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        if let Some(dir) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
    } else {
        let (base, name) = url.rsplit_once('/').expect("a database name");
        let admin = Db::connect(&format!("{base}/postgres")).await.expect("the postgres database");
        admin.execute(&Sql::new(format!("DROP DATABASE IF EXISTS {name}"))).await.unwrap();
        admin.execute(&Sql::new(format!("CREATE DATABASE {name}"))).await.unwrap();
        admin.close().await;
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).header("Access-Token", &self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let a = args();
    fresh_database(&a.database_url).await;
    let mqtt_port = free_port();
    let mut mosquitto = None;
    let external = if a.mosquitto {
        mosquitto = Some(start_mosquitto(mqtt_port));
        Some(format!("mqtt://127.0.0.1:{mqtt_port}"))
    } else {
        a.external.clone()
    };
    let broker = match &external {
        Some(url) => url.trim_start_matches("mqtt://").rsplit('@').next().unwrap().to_owned(),
        None => format!("127.0.0.1:{mqtt_port}"),
    };
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    // The app servers (the first also answers the probe's API calls). The first is up (and has
    // migrated the database) before the next starts.
    let mut servers = Vec::new();
    let mut base = String::new();
    for i in 0..a.servers {
        let port = free_port();
        let mut server = Command::new(&a.bin);
        server
            .env("DATABASE_URL", &a.database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .env("SECRETS_KEY", "00".repeat(32))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        match &external {
            Some(url) => server.env("MQTT_URL", url),
            None => server.env("MQTT_LISTEN", &broker),
        };
        servers.push(server.spawn().expect("the server starts"));
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..240 {
            if http.get(format!("{url}/v2/openapi.json")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        if i == 0 {
            base = url;
        }
    }
    let pids: Vec<u32> = servers.iter().map(|s| s.id()).collect();
    let rss = || pids.iter().map(|p| rss_kib(*p)).sum::<u64>();

    // A corp, a product and N + 1 devices.
    let password = "Bench-pass-1";
    let out = Command::new(&a.bin)
        .args(["create-corp", "--company", "Bench", "--name", "Bench", "--email", "bench@example.com"])
        .args(["--phone", "13800000000", "--password", password])
        .env("DATABASE_URL", &a.database_url)
        .env("SECRETS_KEY", "00".repeat(32))
        .output()
        .unwrap();
    assert!(out.status.success(), "create-corp: {}", String::from_utf8_lossy(&out.stderr));
    let login: Value = http
        .post(format!("{base}/v2/corp_auth"))
        .json(&json!({ "account": "bench@example.com", "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api = Api { http: http.clone(), base: base.clone(), token: login["access_token"].as_str().unwrap().to_owned() };
    let product = api.post("/v2/product", json!({ "name": "Purifier", "link_type": 1 })).await;
    let product = product["id"].as_str().unwrap().to_owned();
    let macs: Vec<String> = (1..=a.devices + 1).map(|i| format!("5E{i:010X}")).collect();
    for chunk in macs.chunks(2000) {
        api.post(&format!("/v2/product/{product}/device_batch"), json!(chunk)).await;
    }
    // The probe is the last device; the fleet takes the first N (by id).
    let probe_mac = macs.last().unwrap().clone();
    let list = api
        .post(
            &format!("/v2/product/{product}/devices"),
            json!({ "filter": ["id", "mac"], "query": { "mac": { "$in": [probe_mac] } } }),
        )
        .await;
    let probe_id = list["list"][0]["id"].as_i64().expect("the probe device");

    // The fleet.
    let rss_idle = rss();
    let mut fleet = Command::new(&a.bin)
        .args(["simulate", "--product", &product, "--devices", &a.devices.to_string()])
        .args(["--rate", &a.rate.to_string(), "--broker", &broker])
        .args(["--duration", &(a.seconds + 120).to_string()])
        .env("DATABASE_URL", &a.database_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let fleet_pid = fleet.id();
    let fleet_out = fleet.stdout.take().unwrap();
    let last_line = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let ll = last_line.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(fleet_out).lines().map_while(Result::ok) {
            *ll.lock().unwrap() = line;
        }
    });
    let storm = Instant::now();
    let online_query = json!({ "limit": 1, "query": { "is_online": { "$eq": true } } });
    let online = loop {
        let page = api.post(&format!("/v2/product/{product}/devices"), online_query.clone()).await;
        let n = page["count"].as_u64().unwrap_or(0) as usize;
        if n >= a.devices || storm.elapsed() > Duration::from_secs(300) {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let storm_secs = storm.elapsed().as_secs_f64();

    // The probe device.
    let creds = api.get(&format!("/v2/product/{product}/device/{probe_id}/mqtt")).await;
    let (host, mport) = broker.rsplit_once(':').unwrap();
    let mut options = MqttOptions::new(creds["client_id"].as_str().unwrap(), host, mport.parse().unwrap());
    options.set_credentials(creds["username"].as_str().unwrap(), creds["password"].as_str().unwrap());
    let (probe, mut eventloop) = AsyncClient::new(options, 16);
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) | Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    });
    let telemetry_topic = creds["telemetry_topic"].as_str().unwrap().to_owned();
    let path = format!("/v2/product/{product}/device/{probe_id}/telemetry");

    // One connection of the probe's own for counting (opened once: `Db::connect` also checks
    // the migrations and refreshes SQLite's statistics, which is not for every count).
    let counter = Db::connect(&a.database_url).await.expect("the benchmark's database");
    let start_rows = stored(&counter).await;
    let window = Instant::now();
    let mut samples = Vec::new();
    let mut rss_peak = 0;
    let mut value = 0i64;
    let mut last_rss = Instant::now();
    while window.elapsed() < Duration::from_secs(a.seconds) {
        value += 10;
        let sent = Instant::now();
        probe
            .publish(&telemetry_topic, QoS::AtLeastOnce, false, json!({ "water_ml": value }).to_string())
            .await
            .unwrap();
        loop {
            let t = api.get(&path).await;
            if t["water_ml"].as_i64() == Some(value) {
                samples.push(sent.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if sent.elapsed() > Duration::from_secs(30) {
                samples.push(f64::INFINITY);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if last_rss.elapsed() >= Duration::from_secs(1) {
            rss_peak = rss_peak.max(rss());
            last_rss = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250).saturating_sub(sent.elapsed())).await;
    }
    let window_secs = window.elapsed().as_secs_f64();
    let end_rows = stored(&counter).await;
    let rss_end = rss();

    // Stop the fleet; wait for the last messages to land.
    let _ = Command::new("kill").args(["-INT", &fleet_pid.to_string()]).status();
    let _ = tokio::task::spawn_blocking(move || fleet.wait()).await;
    let mut settled = stored(&counter).await;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = stored(&counter).await;
        if now == settled {
            break;
        }
        settled = now;
    }
    // The fleet's closing line: "… messages N (…/s)  acked M …  (stopped)".
    let last = last_line.lock().unwrap().clone();
    assert!(last.ends_with("(stopped)"), "the fleet did not report its totals: {last:?}");
    let count_after = |word: &str| {
        last.split_whitespace().skip_while(|w| *w != word).nth(1).and_then(|n| n.parse::<i64>().ok()).unwrap_or(-1)
    };
    let (published, acked) = (count_after("messages"), count_after("acked"));
    for mut server in servers {
        let _ = server.kill();
        let _ = server.wait();
    }
    if let Some(mut m) = mosquitto {
        let _ = m.kill();
        let _ = m.wait();
    }

    samples.sort_by(|x, y| x.partial_cmp(y).unwrap());
    let mode = match (external.is_some(), a.servers) {
        (false, _) => "embedded broker".to_owned(),
        (true, 1) => "external broker (Mosquitto)".to_owned(),
        (true, n) => format!("external broker (Mosquitto), {n} app servers"),
    };
    let backend = if a.database_url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" };
    println!("### {backend}, {mode}: {} devices, offered {} messages/s, {} s\n", a.devices, a.rate, a.seconds);
    println!("| measure | value |\n|---|---:|");
    println!("| devices online after the storm | {online} of {} in {storm_secs:.1} s |", a.devices);
    println!(
        "| telemetry applied during the window | {} in {window_secs:.0} s = **{:.0} messages/s** |",
        end_rows - start_rows,
        (end_rows - start_rows) as f64 / window_secs
    );
    println!(
        "| publish → visible in the API (probe, {} samples) | p50 {:.0} ms, p99 **{:.0} ms**, max {:.0} ms |",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or(f64::NAN)
    );
    let probe_sent = value / 10;
    println!(
        "| telemetry the fleet published / the broker acknowledged / stored (whole run, less the probe's {probe_sent}) | {published} / {acked} / {} |",
        settled - probe_sent
    );
    println!(
        "| server RSS (all servers): idle / peak / end of window | {} / {} / {} MiB |",
        rss_idle / 1024,
        rss_peak / 1024,
        rss_end / 1024
    );
}

/// Telemetry rows stored so far.
async fn stored(db: &Db) -> i64 {
    let (n,): (i64,) =
        db.fetch_one(&Sql::new("SELECT COUNT(*) FROM device_messages WHERE kind = 'telemetry'")).await.unwrap();
    n
}
