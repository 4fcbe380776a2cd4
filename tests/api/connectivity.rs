//! Devices over MQTT (issue 16), with real MQTT clients (rumqttc) as the devices: against the
//! embedded broker on a free port, and against the machine's Mosquitto as an external broker.

use std::time::{Duration, Instant};

use backoffice::server::config::{Config, Mqtt, MqttUrl};
use backoffice::server::secret::random_hex;
use rumqttc::{AsyncClient, ConnectionError, Event, LastWill, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::helpers::*;

crate::both_backends!(
    embedded_devices_come_online_report_and_obey,
    embedded_broker_refuses_what_a_device_may_not_do,
    commands_are_for_those_who_manage_devices,
    external_broker_devices_come_online_report_and_obey,
    readiness_and_metrics_follow_the_broker,
);

/// The machine's Mosquitto (`.ci/run` starts it); `MQTT_TEST_URL` may name another.
fn external_url() -> MqttUrl {
    let url = std::env::var("MQTT_TEST_URL").unwrap_or_else(|_| "mqtt://127.0.0.1:1883".into());
    let mut url = MqttUrl::parse(&url).expect("MQTT_TEST_URL");
    // A group of the test's own: parallel tests on one broker must not split each other's messages.
    url.group = format!("bo{}", random_hex(4));
    url
}

fn embedded() -> Config {
    Config { mqtt: Mqtt::Embedded { listen: "127.0.0.1:0".parse().unwrap(), chosen: true }, ..test_config() }
}

fn external() -> Config {
    // A topic root of the test's own: other tests' devices on the same broker stay out of sight.
    Config { mqtt: Mqtt::External(external_url()), mqtt_topic_root: format!("t{}", random_hex(4)), ..test_config() }
}

/// A device: an MQTT client and what it received.
struct Device {
    client: AsyncClient,
    incoming: mpsc::UnboundedReceiver<Packet>,
    task: tokio::task::JoinHandle<()>,
    creds: Value,
}

impl Device {
    /// Connects with `creds` (from `GET …/mqtt`, the password possibly replaced) to `broker`;
    /// `sid`: announce itself on the status topic with a will (what devices on an external
    /// broker do).
    async fn connect(
        broker: &str,
        creds: &Value,
        password: &str,
        sid: Option<&str>,
    ) -> Result<Device, ConnectionError> {
        let (host, port) = broker.rsplit_once(':').expect("host:port");
        let mut options = MqttOptions::new(creds["client_id"].as_str().unwrap(), host, port.parse().unwrap());
        options.set_credentials(creds["username"].as_str().unwrap(), password).set_keep_alive(Duration::from_secs(5));
        let status = creds["status_topic"].as_str().unwrap().to_owned();
        if let Some(sid) = sid {
            let will = json!({ "online": false, "sid": sid }).to_string();
            options.set_last_will(LastWill::new(status.clone(), will, QoS::AtLeastOnce, false));
        }
        let (client, mut eventloop) = AsyncClient::new(options, 16);
        loop {
            match eventloop.poll().await? {
                Event::Incoming(Packet::ConnAck(_)) => break,
                _ => continue,
            }
        }
        let (tx, mut incoming) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            // Until the connection ends: no reconnecting, so a closed connection stays closed.
            while let Ok(event) = eventloop.poll().await {
                if let Event::Incoming(packet) = event {
                    let _ = tx.send(packet);
                }
            }
        });
        client.subscribe(creds["command_topic"].as_str().unwrap(), QoS::AtLeastOnce).await.unwrap();
        // Listening once the broker has answered the subscription.
        loop {
            match tokio::time::timeout(Duration::from_secs(5), incoming.recv()).await {
                Ok(Some(Packet::SubAck(_))) => break,
                Ok(Some(_)) => continue,
                other => panic!("no SUBACK for the command topic: {other:?}"),
            }
        }
        if let Some(sid) = sid {
            let birth = json!({ "online": true, "sid": sid }).to_string();
            client.publish(status, QoS::AtLeastOnce, false, birth).await.unwrap();
        }
        Ok(Device { client, incoming, task, creds: creds.clone() })
    }

    async fn publish(&self, leaf: &str, body: Value) {
        let topic = self.creds[format!("{leaf}_topic")].as_str().unwrap().to_owned();
        self.client.publish(topic, QoS::AtLeastOnce, false, body.to_string()).await.unwrap();
    }

    /// The next command this device receives.
    async fn next_command(&mut self) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.incoming.recv()).await {
                Ok(Some(Packet::Publish(p))) => return serde_json::from_slice(&p.payload).unwrap(),
                Ok(Some(_)) => continue,
                _ => panic!("no command reached the device"),
            }
        }
    }

    /// Ends the connection without DISCONNECT, as a device losing power does.
    fn pull_the_plug(self) {
        self.task.abort();
    }
}

/// Polls `read` until `done` holds of its answer, for at most `limit`; answers the last answer.
async fn eventually<F, Fut>(limit: Duration, what: &str, mut read: F, done: impl Fn(&Value) -> bool) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let start = Instant::now();
    loop {
        let v = read().await;
        if done(&v) {
            return v;
        }
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}; last: {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct Setup {
    app: TestApp,
    corp_id: String,
    token: String,
    product: String,
    device: i64,
    creds: Value,
}

impl Setup {
    async fn new(backend: Backend, config: Config) -> Setup {
        let app = spawn_with(backend, config).await;
        let corp = app.create_corp("mqtt").await;
        let (token, _) = app.login(&corp).await;
        let (product, device) = app.product_with_device(&token).await;
        let creds = app.get(&format!("/v2/product/{product}/device/{device}/mqtt"), Some(&token)).await;
        let creds = creds.assert_ok().clone();
        Setup { app, corp_id: corp.corp_id.clone(), token, product, device, creds }
    }

    fn path(&self, rest: &str) -> String {
        format!("/v2/product/{}/device/{}{rest}", self.product, self.device)
    }

    async fn read(&self, rest: &str) -> Value {
        self.app.get(&self.path(rest), Some(&self.token)).await.assert_ok().clone()
    }

    async fn read_owned(&self, rest: String) -> Value {
        self.read(&rest).await
    }

    fn broker(&self) -> String {
        self.creds["broker"].as_str().unwrap().to_owned()
    }

    async fn connect(&self, sid: Option<&str>) -> Device {
        let password = self.creds["password"].as_str().unwrap().to_owned();
        Device::connect(&self.broker(), &self.creds, &password, sid).await.expect("the device connects")
    }

    async fn command(&self, body: Value) -> Value {
        self.app.post(&self.path("/command"), &body, Some(&self.token)).await.assert_ok().clone()
    }
}

/// What both modes must do: online, telemetry and its hourly sums, a command obeyed, offline by
/// the last will, a command to an offline device timing out.
async fn online_report_obey(s: &Setup, sid: Option<&str>) {
    let before = s.read("").await;
    assert_eq!(before["is_online"], json!(false));
    assert_eq!(before["is_active"], json!(false));

    let mut device = s.connect(sid).await;
    let connected = Instant::now();
    let online = eventually(Duration::from_secs(5), "online", || s.read(""), |d| d["is_online"] == json!(true)).await;
    // The bar: visible in the API within a second of connecting.
    assert!(connected.elapsed() <= Duration::from_secs(1), "online after {:?}", connected.elapsed());
    assert_eq!(online["is_active"], json!(true), "activated on its first connection");
    assert!(online["active_date"].is_string() && online["last_login"].is_string(), "{online}");

    // Telemetry: the first report sets the baseline, the second's rise is the hour's use.
    let report = |water: i64, work: i64| {
        json!({ "power_on_minutes": 600 + work, "work_minutes": work, "water_ml": water, "tds_in": 310,
                "tds_out": 12, "filters": [{ "order": 1, "used_minutes": work, "used_ml": water }] })
    };
    device.publish("telemetry", report(10_000, 100)).await;
    device.publish("telemetry", report(10_750, 103)).await;
    device
        .publish(
            "state",
            json!({ "firmware_version": 7, "mcu_version": 3, "run_state": 1, "lng": "121.47", "lat": 31.23 }),
        )
        .await;
    let t = eventually(
        Duration::from_secs(5),
        "telemetry",
        || s.read("/telemetry"),
        |t| t["water_ml"] == json!(10_750) && t["run_state"] == json!(1),
    )
    .await;
    assert_eq!(t["tds_out"], json!(12));
    assert_eq!(t["filters"], json!([{ "order": 1, "used_minutes": 103, "used_ml": 10_750 }]));
    assert_eq!((t["lng"].as_str(), t["lat"].as_str()), (Some("121.47"), Some("31.23")));
    let stats = s.read("/stats?span=hour").await;
    assert_eq!(stats.as_array().map(Vec::len), Some(1), "{stats}");
    assert_eq!((stats[0]["water_ml"].as_i64(), stats[0]["work_minutes"].as_i64()), (Some(750), Some(3)));
    assert_eq!(stats[0]["reports"], json!(2));
    let day = s.read("/stats?span=day").await;
    assert_eq!(day[0]["water_ml"], json!(750));
    let d = s.read("").await;
    assert_eq!((d["firmware_version"].as_i64(), d["mcu_version"].as_i64()), (Some(7), Some(3)));
    assert_eq!(t["missed_reports"], json!(0));
    // Numbered reports: a jump in the numbers counts the reports between as missed (lost on the
    // way, e.g. by a broker that dropped them); the totals stay right all the same.
    for (seq, water) in [(1, 10_800), (2, 10_850), (5, 10_900)] {
        device.publish("telemetry", json!({ "seq": seq, "water_ml": water })).await;
    }
    let t = eventually(Duration::from_secs(5), "numbered", || s.read("/telemetry"), |t| t["water_ml"] == json!(10_900))
        .await;
    assert_eq!(t["missed_reports"], json!(2), "{t}");

    // A command reaches the device, which obeys and answers.
    let sent = s.command(json!({ "kind": "dispense", "params": { "volume_ml": 500 }, "timeout": 10 })).await;
    let received = device.next_command().await;
    assert_eq!(received["id"], sent["id"]);
    assert_eq!((received["cmd"].as_str(), received["params"]["volume_ml"].as_i64()), (Some("dispense"), Some(500)));
    device.publish("ack", json!({ "id": received["id"], "ok": true })).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    let done = eventually(
        Duration::from_secs(5),
        "acked",
        || s.read_owned(format!("/command/{id}")),
        |c| c["status"] == json!("acked"),
    )
    .await;
    assert!(done["finish_time"].is_string(), "{done}");
    // A refusal is recorded with the device's reason.
    let sent = s.command(json!({ "kind": "set_param", "params": { "key": "max_temp", "value": 99 } })).await;
    let received = device.next_command().await;
    device.publish("ack", json!({ "id": received["id"], "ok": false, "error": "out of range" })).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    let refused = eventually(
        Duration::from_secs(5),
        "failed",
        || s.read_owned(format!("/command/{id}")),
        |c| c["status"] == json!("failed"),
    )
    .await;
    assert_eq!(refused["result"], json!("out of range"));
    let list = s.read("/commands").await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[0]["id"], json!(id), "newest first");

    // Power lost: offline by the last will (external) or the dropped connection (embedded).
    device.pull_the_plug();
    let offline =
        eventually(Duration::from_secs(10), "offline", || s.read(""), |d| d["is_online"] == json!(false)).await;
    assert_eq!(offline["is_active"], json!(true));

    // A command to an offline device: pending, then timed out with a clear reason.
    let sent = s.command(json!({ "kind": "lock", "timeout": 1 })).await;
    assert_eq!(sent["status"], json!("pending"));
    let id = sent["id"].as_str().unwrap().to_owned();
    let timed_out = eventually(
        Duration::from_secs(5),
        "timeout",
        || s.read_owned(format!("/command/{id}")),
        |c| c["status"] == json!("timeout"),
    )
    .await;
    assert!(timed_out["result"].as_str().unwrap().contains("not connected"), "{timed_out}");
}

async fn embedded_devices_come_online_report_and_obey(backend: Backend) {
    let s = Setup::new(backend, embedded()).await;
    assert!(s.broker().starts_with("127.0.0.1:"), "{}", s.creds);
    assert_eq!(s.creds["username"], json!(format!("{}.AABBCCDDEE01", s.product)));
    assert_eq!(s.creds["command_topic"], json!(format!("d/{}.AABBCCDDEE01/cmd", s.product)));
    online_report_obey(&s, None).await;

    // A command sent while the device is away reaches it when it comes back.
    let sent = s.command(json!({ "kind": "unlock", "timeout": 30 })).await;
    assert_eq!(sent["status"], json!("pending"));
    let mut device = s.connect(None).await;
    let received = device.next_command().await;
    assert_eq!(received["id"], sent["id"]);
    let id = sent["id"].as_str().unwrap().to_owned();
    let now = s.read(&format!("/command/{id}")).await;
    assert_eq!(now["status"], json!("sent"));
    // A clean DISCONNECT is offline too.
    device.client.disconnect().await.unwrap();
    eventually(Duration::from_secs(5), "offline", || s.read(""), |d| d["is_online"] == json!(false)).await;
}

async fn external_broker_devices_come_online_report_and_obey(backend: Backend) {
    let s = Setup::new(backend, external()).await;
    assert_eq!(s.broker(), "127.0.0.1:1883");
    // Give the app's subscription a moment to reach the broker before the device speaks.
    tokio::time::sleep(Duration::from_millis(300)).await;
    online_report_obey(&s, Some("boot-1")).await;

    // A late "offline" of an older connection does not hide a newer one.
    let device = s.connect(Some("boot-3")).await;
    eventually(Duration::from_secs(5), "online", || s.read(""), |d| d["is_online"] == json!(true)).await;
    device.publish("status", json!({ "online": false, "sid": "boot-2" })).await;
    device.publish("telemetry", json!({ "water_ml": 11_000 })).await;
    eventually(Duration::from_secs(5), "applied", || s.read("/telemetry"), |t| t["water_ml"] == json!(11_000)).await;
    assert_eq!(s.read("").await["is_online"], json!(true));
}

async fn embedded_broker_refuses_what_a_device_may_not_do(backend: Backend) {
    let s = Setup::new(backend, embedded()).await;
    // A wrong password: refused at CONNECT.
    let wrong = Device::connect(&s.broker(), &s.creds, &"0".repeat(64), None).await;
    assert!(
        matches!(wrong, Err(ConnectionError::ConnectionRefused(rumqttc::ConnectReturnCode::BadUserNamePassword))),
        "{:?}",
        wrong.err()
    );
    // A second device of the product, and the first one posing as it.
    let other = s
        .app
        .post(&format!("/v2/product/{}/device", s.product), &json!({ "mac": "AABBCCDDEE02" }), Some(&s.token))
        .await;
    let other = other.assert_ok()["id"].as_i64().unwrap();
    let other_path = format!("/v2/product/{}/device/{other}", s.product);
    let other_creds = s.app.get(&format!("{other_path}/mqtt"), Some(&s.token)).await.assert_ok().clone();
    // Another device's password does not open this device's login.
    let swapped = Device::connect(&s.broker(), &s.creds, other_creds["password"].as_str().unwrap(), None).await;
    assert!(swapped.is_err());

    let mut device = s.connect(None).await;
    eventually(Duration::from_secs(5), "online", || s.read(""), |d| d["is_online"] == json!(true)).await;
    // Subscribing to another device's commands is refused.
    device.client.subscribe(other_creds["command_topic"].as_str().unwrap(), QoS::AtLeastOnce).await.unwrap();
    let refused = loop {
        match tokio::time::timeout(Duration::from_secs(5), device.incoming.recv()).await {
            Ok(Some(Packet::SubAck(ack))) => break ack,
            Ok(Some(_)) => continue,
            other => panic!("no SUBACK: {other:?}"),
        }
    };
    assert_eq!(refused.return_codes, vec![rumqttc::SubscribeReasonCode::Failure]);
    // Publishing as the other device closes the connection and changes nothing of the other's.
    let topic = other_creds["telemetry_topic"].as_str().unwrap().to_owned();
    device.client.publish(topic, QoS::AtLeastOnce, false, json!({ "water_ml": 5 }).to_string()).await.unwrap();
    eventually(Duration::from_secs(5), "closed", || s.read(""), |d| d["is_online"] == json!(false)).await;
    let theirs = s.app.get(&format!("{other_path}/telemetry"), Some(&s.token)).await;
    assert_eq!(theirs.assert_ok()["telemetry_time"], Value::Null);
    assert_eq!(s.app.get(&other_path, Some(&s.token)).await.assert_ok()["is_online"], json!(false));
}

async fn commands_are_for_those_who_manage_devices(backend: Backend) {
    let s = Setup::new(backend, embedded()).await;
    let lock = json!({ "kind": "lock" });
    // Bad input: a clear error, nothing recorded.
    let bad = s
        .app
        .post(&s.path("/command"), &json!({ "kind": "dispense", "params": { "volume_ml": 0 } }), Some(&s.token))
        .await;
    bad.assert_error(4001001);
    let bad = s.app.post(&s.path("/command"), &json!({ "kind": "explode" }), Some(&s.token)).await;
    assert_eq!(bad.status.as_u16(), 400, "{:?}", bad.body);
    let bad = s.app.post(&s.path("/command"), &json!({ "kind": "lock", "timeout": 0 }), Some(&s.token)).await;
    bad.assert_error(4001001);
    assert_eq!(s.read("/commands").await, json!([]));
    s.app.get(&s.path("/command/nosuch"), Some(&s.token)).await.assert_error(4041061);

    // Another corp: the product is not found for it.
    let other = s.app.create_corp("mqtt-other").await;
    let (other_token, _) = s.app.login(&other).await;
    s.app.post(&s.path("/command"), &lock, Some(&other_token)).await.assert_error(4041005);
    s.app.get(&s.path("/telemetry"), Some(&other_token)).await.assert_error(4041005);
    s.app.get(&s.path("/mqtt"), Some(&other_token)).await.assert_error(4041005);
    // A member whose role only views devices reads telemetry but neither commands nor reads the
    // device's password.
    let viewer_role = s.app.add_role(&s.token, "viewers", &[1501]).await;
    let (_, email, password) = s.app.add_member(&s.token, 99, Some(viewer_role)).await;
    let viewer_token = s.app.login_as(&email, &password).await;
    s.app.get(&s.path("/telemetry"), Some(&viewer_token)).await.assert_ok();
    s.app.post(&s.path("/command"), &lock, Some(&viewer_token)).await.assert_error(4031001);
    s.app.get(&s.path("/mqtt"), Some(&viewer_token)).await.assert_error(4031001);
    // A dealer holding the device reads it in its own portal, not through the corp's paths.
    let dealer = s.app.add_dealer(&s.token, None).await;
    let grant = format!("/v2/dealer/{}/grant_device?product_id={}", dealer["id"], s.product);
    s.app.post(&grant, &json!([{ "device_id": s.device }]), Some(&s.token)).await.assert_ok();
    let dealer_token = s.app.dealer_token(&s.corp_id, &dealer).await;
    s.app.get(&s.path("/telemetry"), Some(&dealer_token)).await.assert_error(4031001);
    s.app.get(&s.path("/commands"), Some(&dealer_token)).await.assert_error(4031001);
    s.app.post(&s.path("/command"), &lock, Some(&dealer_token)).await.assert_error(4031001);
    s.app.get(&s.path("/mqtt"), Some(&dealer_token)).await.assert_error(4031001);
    // Still nothing but what the corp's own members sent.
    assert_eq!(s.read("/commands").await, json!([]));
}

/// `/readyz` and `/metrics` of a server with a broker (issue 19): ready while the embedded
/// broker runs, with its connections counted; not ready while an external broker cannot be
/// reached, ready once one is.
async fn readiness_and_metrics_follow_the_broker(backend: Backend) {
    async fn readyz(app: &TestApp) -> (u16, Value) {
        let res = app.client.get(app.url("/readyz")).send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }
    async fn metrics(app: &TestApp) -> Value {
        let res = app.client.get(app.url("/metrics")).bearer_auth("scrape-mqtt-1").send().await.unwrap();
        Value::String(res.text().await.unwrap())
    }
    let with_token = |config: Config| Config { metrics_token: Some("scrape-mqtt-1".into()), ..config };

    let s = Setup::new(backend, with_token(embedded())).await;
    assert_eq!(readyz(&s.app).await, (200, json!({ "status": "ready" })));
    let line = |text: &Value, name: &str| {
        text.as_str().unwrap().lines().find(|l| l.starts_with(name)).map(str::to_owned).unwrap_or_default()
    };
    let text = metrics(&s.app).await;
    assert_eq!(line(&text, "mqtt_up "), "mqtt_up 1", "{text}");
    let device = s.connect(None).await;
    eventually(
        Duration::from_secs(5),
        "one connection",
        || metrics(&s.app),
        |t| line(t, "mqtt_connections ") == "mqtt_connections 1",
    )
    .await;
    device.client.disconnect().await.unwrap();
    eventually(
        Duration::from_secs(5),
        "no connection",
        || metrics(&s.app),
        |t| line(t, "mqtt_connections ") == "mqtt_connections 0",
    )
    .await;

    // An external broker nobody listens for: the server runs, but is not ready, and says only that.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = MqttUrl::parse(&format!("mqtt://127.0.0.1:{closed}")).unwrap();
    let app = spawn_with(backend, with_token(Config { mqtt: Mqtt::External(nowhere), ..test_config() })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(readyz(&app).await, (503, json!({ "status": "not ready" })));
    assert_eq!(line(&metrics(&app).await, "mqtt_up "), "mqtt_up 0");
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status().as_u16(), 200, "alive all the same");

    // The machine's Mosquitto: ready once connected.
    let app = spawn_with(backend, with_token(external())).await;
    let ready = || async { Value::from(readyz(&app).await.0) };
    eventually(Duration::from_secs(10), "ready on the external broker", ready, |status| status == &json!(200)).await;
}
