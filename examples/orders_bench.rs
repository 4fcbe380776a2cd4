//! Orders under load (issue 17): how many orders a second are created and paid through the API
//! by parallel clients, how long one takes from "order" to "paid", and whether every figure
//! still adds up afterwards.
//!
//! Two processes, as in production: the **server** (the release binary, on its own database)
//! and this **load generator**. The generator:
//!
//! 1. makes the data: a platform administrator (`backoffice create-platform-admin`), a vendor
//!    (`POST /api/vendors`), a purifier on sale paying commission at three levels (10 %, 5 %,
//!    2 %), a referral chain of three users, and one buyer per client referred by the last of
//!    them (each signs up with the code from the server's SMS outbox and signs in), so every
//!    paid order earns three ledger entries;
//! 2. runs `--clients` clients for `--seconds`: each, again and again, creates an order
//!    (`POST /api/orders`), asks to pay it (`POST …/prepay/weixin`) and presses the sandbox's pay
//!    button (`POST /pay/sandbox/{payment}`, whose signed notification goes through the same
//!    verification path as a real provider's) — three requests an order;
//! 3. checks the database: every order it completed is paid, once, with one payment and three
//!    commission entries, and nothing else was written; then runs `backoffice reconcile`.
//!
//! ```text
//! scripts/build-release      # or: LEPTOS_OUTPUT_NAME=backoffice cargo build --release --features ssr --bin backoffice
//! cargo build --release --features ssr --example orders_bench
//! target/release/examples/orders_bench --clients 16 --seconds 60 --database-url sqlite:target/bench/orders.db
//! target/release/examples/orders_bench --clients 16 --seconds 60 \
//!     --database-url postgres://postgres@127.0.0.1:5432/bo_orders_bench
//! ```
//!
//! The database is made fresh (the SQLite file deleted; the PostgreSQL database dropped and
//! created). The report (Markdown) goes to stdout.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use backoffice::server::db::{Db, Sql};
use serde_json::{json, Value};

struct Args {
    bin: String,
    database_url: String,
    clients: usize,
    seconds: u64,
}

fn args() -> Args {
    let mut a = Args {
        bin: "target/release/backoffice".into(),
        database_url: "sqlite:target/bench/orders.db".into(),
        clients: 16,
        seconds: 60,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value")).clone();
        match flag.as_str() {
            "--bin" => a.bin = v,
            "--database-url" => a.database_url = v,
            "--clients" => a.clients = v.parse().expect("--clients"),
            "--seconds" => a.seconds = v.parse().expect("--seconds"),
            other => panic!("unknown option {other}"),
        }
    }
    a
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

/// The server's environment: its database, a fixed secrets key, codes to an outbox file.
fn server_env(cmd: &mut Command, a: &Args, outbox: &str) {
    cmd.env("DATABASE_URL", &a.database_url)
        .env("SECRETS_KEY", "00".repeat(32))
        .env("SMS_OUTBOX_FILE", outbox)
        .env("RUST_LOG", "warn")
        .env("MQTT_LISTEN", format!("127.0.0.1:{}", free_port()));
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// A call that must succeed; answers the envelope's `data` (or the body).
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>, token: Option<&str>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("Access-Token", t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v.get("data").cloned().unwrap_or(v)
    }

    async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Value {
        self.call(reqwest::Method::POST, path, Some(body), token).await
    }
}

/// The code the server's log SMS provider last wrote to the outbox for `mobile`.
async fn code_for(outbox: &str, mobile: &str) -> String {
    for _ in 0..100 {
        let text = std::fs::read_to_string(outbox).unwrap_or_default();
        let code = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|m| m["mobile"] == json!(mobile))
            .last()
            .and_then(|m| m["code"].as_str().map(str::to_owned));
        if let Some(c) = code {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no code for {mobile}")
}

/// A user of the vendor (referred by `rid`), signed in: (uid, token).
async fn user(c: &Client, outbox: &str, vid: &str, n: usize, rid: &str) -> (String, String) {
    let mobile = format!("139{:08}", n);
    c.call(reqwest::Method::GET, &format!("/api/users/code?vid={vid}&mobile={mobile}"), None, None).await;
    let code = code_for(outbox, &mobile).await;
    let mut body =
        json!({ "vid": vid, "mobile": mobile, "code": code, "name": format!("User {n}"), "pwd": "user-pass-1" });
    if !rid.is_empty() {
        body["rid"] = json!(rid);
    }
    let made = c.post("/api/users", &body, None).await;
    let uid = made["uid"].as_str().expect("uid").to_owned();
    let auth =
        c.post("/api/users/auth", &json!({ "vid": vid, "mobile": mobile, "password": "user-pass-1" }), None).await;
    (uid, auth["access_token"].as_str().expect("access_token").to_owned())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One order, created and paid: answers its id.
async fn order_and_pay(c: &Client, token: &str, prod: &str) -> String {
    let receiver = json!({ "name": "Ann", "phone": "13800000001", "area": "Zhuhai", "address": "1 Road" });
    let order = json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver });
    let o = c.post("/api/orders", &order, Some(token)).await;
    let id = o["order_id"].as_str().expect("order_id").to_owned();
    let prepaid = c.post(&format!("/api/orders/{id}/prepay/weixin"), &json!({}), Some(token)).await;
    let pay_url = prepaid["pay_url"].as_str().expect("pay_url");
    let res =
        c.http.post(format!("{}{pay_url}", c.base)).header("Origin", c.base.clone()).send().await.expect("pay button");
    let text = res.text().await.unwrap_or_default();
    assert!(text.contains(">Paid<"), "{id}: {text}");
    id
}

#[tokio::main]
async fn main() {
    let a = args();
    fresh_database(&a.database_url).await;
    std::fs::create_dir_all("target/bench").unwrap();
    let outbox = "target/bench/orders-sms.jsonl";
    let _ = std::fs::remove_file(outbox);

    let port = free_port();
    let mut cmd = Command::new(&a.bin);
    server_env(&mut cmd, &a, outbox);
    let mut server = cmd
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(64).build().unwrap();
    for _ in 0..240 {
        if http.get(format!("{base}/api/openapi.json")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let c = Arc::new(Client { http: http.clone(), base: base.clone() });

    // The data: the platform, a vendor, its purifier, a referral chain and the buyers.
    let mut admin = Command::new(&a.bin);
    server_env(&mut admin, &a, outbox);
    let out =
        admin.args(["create-platform-admin", "--account", "bench", "--password", "Bench-pass-1"]).output().unwrap();
    assert!(out.status.success(), "create-platform-admin: {}", String::from_utf8_lossy(&out.stderr));
    let platform = c.post("/api/platform/auth", &json!({ "account": "bench", "password": "Bench-pass-1" }), None).await;
    let platform = platform["access_token"].as_str().expect("platform token").to_owned();
    let vendor = json!({ "name": "Bench Water", "abbv": "Bench", "mobile": "13700000000", "email": "bench@example.com",
                         "pwd": "vendor-pass-1", "user": "bench" });
    let v = c.post("/api/vendors", &vendor, Some(&platform)).await;
    let vid = v["vid"].as_str().expect("vid").to_owned();
    let corp = c.post("/v2/corp_auth", &json!({ "account": "13700000000", "password": "vendor-pass-1" }), None).await;
    let vendor_token = corp["access_token"].as_str().expect("vendor token").to_owned();
    let goods = json!({ "name": "Purifier", "price": 199_900, "freight": 1_000, "state": 1,
                        "commis": { "enabled": true, "config": [10, 5, 2] } });
    let prod = c.post("/api/products", &goods, Some(&vendor_token)).await["prod_id"].as_str().unwrap().to_owned();
    let mut rid = String::new();
    for n in 0..3 {
        rid = user(&c, outbox, &vid, n, &rid).await.0;
    }
    let mut buyers = Vec::new();
    for n in 0..a.clients {
        buyers.push(user(&c, outbox, &vid, 100 + n, &rid).await.1);
    }

    // The load.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for token in buyers {
        let (c, prod) = (c.clone(), prod.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let id = order_and_pay(&c, &token, &prod).await;
                done.push((id, t.elapsed().as_secs_f64() * 1000.0));
            }
            done
        }));
    }
    let mut orders = Vec::new();
    for t in tasks {
        orders.extend(t.await.expect("a client"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut ms: Vec<f64> = orders.iter().map(|(_, ms)| *ms).collect();
    ms.sort_by(|x, y| x.partial_cmp(y).unwrap());

    // What the database says.
    let db = Db::connect(&a.database_url).await.expect("the database");
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { db.fetch_one::<(i64,)>(&Sql::new(sql)).await.expect(sql).0 }
    };
    let paid_orders = count("SELECT COUNT(*) FROM orders WHERE state = 1").await;
    let all_orders = count("SELECT COUNT(*) FROM orders").await;
    let payments = count("SELECT COUNT(*) FROM payments WHERE kind = 'pay' AND status = 'paid'").await;
    let entries = count("SELECT COUNT(*) FROM commission_entries WHERE kind = 'earn'").await;
    let earned = count("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM commission_entries").await;
    let takings = count("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payments WHERE status = 'paid'").await;
    db.close().await;
    let n = orders.len() as i64;
    // 10 + 5 + 2 % of 1,999.00 yuan (freight earns nothing): 199.90 + 99.95 + 39.98 yuan.
    let per_order = 199_900 * 10 / 100 + 199_900 * 5 / 100 + 199_900 * 2 / 100;
    let mut reconcile = Command::new(&a.bin);
    server_env(&mut reconcile, &a, outbox);
    let rec = reconcile.arg("reconcile").output().unwrap();
    let _ = server.kill();
    let _ = server.wait();

    let checks = [
        ("orders completed = orders paid = orders in the database", n == paid_orders && n == all_orders),
        ("one paid payment per order", payments == n),
        ("three commission entries per order", entries == 3 * n),
        ("commission = 17 % of the goods of every order", earned == per_order * n),
        ("takings = Σ order totals", takings == 200_900 * n),
        ("`backoffice reconcile`", rec.status.success()),
    ];
    let backend = if a.database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("### Orders created and paid: {backend}, {} clients, {} s\n", a.clients, a.seconds);
    println!("| figure | value |\n| --- | --- |");
    println!("| orders created and paid | {n} |");
    println!("| orders a second | {:.1} |", n as f64 / elapsed);
    println!("| requests a second (3 an order) | {:.1} |", 3.0 * n as f64 / elapsed);
    println!(
        "| order → paid, p50 / p95 / p99 (ms) | {:.1} / {:.1} / {:.1} |",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        percentile(&ms, 0.99)
    );
    println!("| slowest (ms) | {:.1} |", ms.last().copied().unwrap_or(f64::NAN));
    for (what, ok) in checks {
        println!("| {what} | {} |", if ok { "yes" } else { "**NO**" });
    }
    println!("\n`backoffice reconcile`: {}", String::from_utf8_lossy(&rec.stdout).trim());
    assert!(checks.iter().all(|(_, ok)| *ok), "a check failed: the figures above say which");
}
