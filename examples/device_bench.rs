//! The device list at a million devices: a data generator and a benchmark, on SQLite and on
//! PostgreSQL.
//!
//! `generate` fills a database the way the product would be filled: one corp and its admin
//! (through `service::corp::create_corp`, as `backoffice create-corp` does), then, over the real
//! `/v2` API of an in-process server, 10 products, a dealer tree (5 top dealers, each with 4
//! dealers below it, each of those with 3 more: 85 dealers) and 20 heavy buyers. The devices
//! themselves go straight into the database with multi-row INSERTs (500 rows a statement, 50,000
//! rows a transaction), spread unevenly over the products (40 %, 20 %, 10 %, … of them), about
//! 30 % online, created over the past year in id order, 60 % assigned to a random dealer (with
//! that dealer's scope chain) and 10 % granted to a heavy buyer. It then sets `corps.device_total`
//! and writes what `run` needs (ids, accounts, passwords) to `target/bench/<database name>.json`.
//!
//! `run` starts the real server in-process on 127.0.0.1:0 over the same database, logs in the
//! corp admin (`/v2/corp_auth`) and one mid-level dealer (`/v2/dealer_auth`), and measures, for
//! the largest product, each list shape twice for the same time with the same concurrency:
//!
//! * **endpoint**: `POST /v2/product/{id}/devices` (the dealer shape:
//!   `POST /v2/dealer/product/{id}/devices`) over HTTP, i.e. token check, principal, product
//!   check, count, page, JSON;
//! * **raw**: the same count and page statements, built by `list::parse` and
//!   `ListQuery::select` with the scope `service::device`'s `visible()` builds, run through the
//!   server's own `Db` pool; the page rows are decoded into a struct like the service's row type
//!   (so decoding is in both), and, as in `list::run`, the page is skipped past the last match.
//!
//! Before measuring, each shape is called once both ways and the counts and page ids compared.
//! The report (Markdown, on stdout) gives throughput, p50 and p99 for both and the endpoint/raw
//! throughput ratio, with the machine it ran on. Client, server and (for SQLite) the database
//! share that machine, as they would on a small deployment.
//!
//! Commands, from the crate's root:
//!
//! ```text
//! # SQLite
//! cargo run --release --features ssr --example device_bench -- \
//!     generate --database-url sqlite:target/bench/devices.db --fresh
//! cargo run --release --features ssr --example device_bench -- \
//!     run --database-url sqlite:target/bench/devices.db
//!
//! # PostgreSQL (generate creates the database, through the `postgres` database, when missing;
//! # --fresh drops and recreates it)
//! cargo run --release --features ssr --example device_bench -- \
//!     generate --database-url postgres://postgres@127.0.0.1:5432/bo_bench --fresh
//! cargo run --release --features ssr --example device_bench -- \
//!     run --database-url postgres://postgres@127.0.0.1:5432/bo_bench
//!
//! # Both backends in one report
//! cargo run --release --features ssr --example device_bench -- run \
//!     --database-url sqlite:target/bench/devices.db \
//!     --database-url postgres://postgres@127.0.0.1:5432/bo_bench
//! ```
//!
//! Options: `--devices N` (generate; default 1,000,000), `--fresh` (generate: delete the SQLite
//! file, or drop the PostgreSQL database, first; the planner statistics are then refreshed as the
//! server does: sampled `ANALYZE` on SQLite, `VACUUM ANALYZE` (autovacuum's) on PostgreSQL),
//! `--seconds S` (run; default 5 per side per shape), `--warmup S` (run; default 1),
//! `--concurrency N` (run; default 4), `--state PATH` (either; only with one database URL).

// Release builds monomorphise the app's full view types here too (see src/lib.rs).
#![recursion_limit = "512"]

use std::{
    future::Future,
    path::{Path, PathBuf},
    str::FromStr,
    sync::Arc,
    time::{Duration, Instant},
};

use backoffice::{
    model::device::CREATED_BY_MEMBER,
    server::{
        clock::now_ms,
        config::Config,
        db::{Backend, Db, Sql, Statement},
        http,
        list::{self, ListQuery},
        scope::Scope,
        secret::Secret,
        service::{
            corp::{self, NewCorp},
            device::DEVICES,
        },
        state::Ctx,
    },
};
use sea_query::{Alias, Condition, Expr, Query, SelectStatement, SimpleExpr, Value as SqlValue};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

const USAGE: &str = "\
device_bench — the /v2 device list at a million devices

USAGE:
    device_bench generate --database-url URL [--devices 1000000] [--fresh] [--state PATH]
    device_bench run --database-url URL [--database-url URL2] [--seconds 5] [--warmup 1]
                     [--concurrency 4] [--state PATH]
    device_bench memory --database-url URL --server-bin target/release/backoffice
                     [--concurrency 256] [--seconds 30] [--state PATH]

URL is sqlite:target/bench/devices.db or postgres://postgres@127.0.0.1:5432/bo_bench.
Run `generate` once per database, then `run` as often as wanted.";

// ---- What the generator makes ----

const ADMIN_EMAIL: &str = "bench-admin@example.com";
const ADMIN_PHONE: &str = "13900000001";
/// A corp member's password: 6–16 characters.
const ADMIN_PASSWORD: &str = "Bench-pass1";
/// Dealers' and heavy buyers' password: 9–16 characters, upper and lower case and a digit.
const PARTNER_PASSWORD: &str = "Bench-Partner1";

/// Each product's share of the devices, in percent (the first is the one `run` measures).
const PRODUCT_SHARES: [u64; 10] = [40, 20, 10, 8, 6, 5, 4, 3, 2, 2];
const TOP_DEALERS: usize = 5;
const MID_DEALERS: usize = 4;
const LEAF_DEALERS: usize = 3;
const HEAVY_BUYERS: usize = 20;

/// Device names are `dev-<n> <room> <kind>`: a room word matches about 1 device in 16.
const ROOMS: [&str; 16] = [
    "kitchen",
    "garage",
    "bedroom",
    "office",
    "hallway",
    "attic",
    "cellar",
    "lobby",
    "warehouse",
    "studio",
    "porch",
    "garden",
    "pantry",
    "laundry",
    "nursery",
    "library",
];
const KINDS: [&str; 8] = ["sensor", "plug", "lamp", "thermostat", "camera", "lock", "switch", "meter"];
const LIKE_WORD: &str = "garage";

const ROWS_PER_STATEMENT: u64 = 500;
const ROWS_PER_TRANSACTION: u64 = 50_000;
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
const SEED: u64 = 0x5EED_0DE7_1CE5;

/// The columns the generator fills, in the order of [`device_row`]'s values.
const DEVICE_COLUMNS: [&str; 24] = [
    "corp_id",
    "product_id",
    "mac",
    "name",
    "sn",
    "domain",
    "tags",
    "is_active",
    "active_date",
    "is_online",
    "last_login",
    "last_login_ip",
    "mcu_mod",
    "mcu_version",
    "firmware_mod",
    "firmware_version",
    "region_id",
    "create_time",
    "creator_id",
    "creator_type",
    "dealer_id",
    "dealer_scope",
    "heavy_buyer_id",
    "organization_id",
];

/// What `generate` leaves for `run`.
#[derive(Debug, Serialize, Deserialize)]
struct BenchState {
    backend: String,
    devices: u64,
    corp_id: String,
    admin_account: String,
    admin_password: String,
    /// The mid-level dealer whose scoped list is measured.
    dealer: DealerLogin,
    /// Largest first.
    products: Vec<ProductInfo>,
    like_word: String,
    generate_seconds: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct DealerLogin {
    id: i64,
    code: String,
    scope: String,
    account: String,
    password: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ProductInfo {
    id: String,
    devices: u64,
}

/// A page row as the list's page statement returns it (the same columns as the service's own
/// row type), so the raw side pays for decoding as the endpoint does.
#[derive(sqlx::FromRow)]
#[allow(dead_code)]
struct RawDevice {
    id: i64,
    mac: String,
    name: String,
    is_active: bool,
    active_date: Option<i64>,
    is_online: bool,
    last_login: Option<i64>,
    last_login_ip: String,
    mcu_mod: String,
    mcu_version: i64,
    firmware_mod: String,
    firmware_version: i64,
    product_id: String,
    region_id: i64,
    sn: String,
    domain: String,
    create_time: i64,
    creator_id: i64,
    creator_type: i64,
    tags: String,
    dealer_scope: Option<String>,
    heavy_buyer_id: Option<i64>,
    dealer_id: Option<i64>,
    organization_id: Option<i64>,
}

// ---- Command line ----

#[derive(Debug)]
struct Options {
    urls: Vec<String>,
    devices: u64,
    fresh: bool,
    seconds: f64,
    warmup: f64,
    concurrency: usize,
    state: Option<PathBuf>,
    /// `memory`: the server binary to run and watch.
    server_bin: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> Res<Self> {
        let mut o = Options {
            urls: Vec::new(),
            devices: 1_000_000,
            fresh: false,
            seconds: 5.0,
            warmup: 1.0,
            concurrency: 4,
            state: None,
            server_bin: None,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--database-url" => o.urls.push(value()?),
                "--devices" => o.devices = number(flag, &value()?)?,
                "--seconds" => o.seconds = number(flag, &value()?)?,
                "--warmup" => o.warmup = number(flag, &value()?)?,
                "--concurrency" => o.concurrency = number(flag, &value()?)?,
                "--state" => o.state = Some(PathBuf::from(value()?)),
                "--server-bin" => o.server_bin = Some(PathBuf::from(value()?)),
                "--fresh" => o.fresh = true,
                other => return Err(format!("unknown option {other:?}\n\n{USAGE}").into()),
            }
        }
        if o.urls.is_empty() {
            return Err(format!("--database-url is required\n\n{USAGE}").into());
        }
        if o.state.is_some() && o.urls.len() > 1 {
            return Err("--state goes with a single --database-url".into());
        }
        if o.devices == 0 || o.concurrency == 0 || o.seconds <= 0.0 || o.warmup < 0.0 {
            return Err("--devices, --concurrency and --seconds must be positive, --warmup not negative".into());
        }
        Ok(o)
    }
}

fn number<T: FromStr>(flag: &str, text: &str) -> Res<T> {
    text.replace('_', "").parse().map_err(|_| BoxError::from(format!("{flag}: expected a number, got {text:?}")))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = real_main(&args).await {
        eprintln!("device_bench: {e}");
        std::process::exit(1);
    }
}

async fn real_main(args: &[String]) -> Res<()> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.into());
    };
    match command.as_str() {
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        "generate" => {
            let options = Options::parse(rest)?;
            for url in &options.urls {
                generate(url, &options).await?;
            }
            Ok(())
        }
        "run" => {
            let options = Options::parse(rest)?;
            println!("# Device list benchmark\n");
            println!("- machine: {}", machine());
            println!(
                "- each shape: {} s warm-up, then {} s over HTTP and {} s raw, {} concurrent clients; client, server and \
                 database in one process on this machine (PostgreSQL as its own server process)",
                options.warmup, options.seconds, options.seconds, options.concurrency
            );
            println!(
                "- endpoint: the real router over HTTP (token, principal, product check, count, page, JSON); raw: the \
                 same count and page statements (`list::parse` + `ListQuery::select` with `visible()`'s scope) on the \
                 server's own pool, rows decoded into a struct\n"
            );
            for url in &options.urls {
                run(url, &options).await?;
            }
            Ok(())
        }
        "memory" => {
            let options = Options::parse(rest)?;
            println!("# Server memory under many connections\n");
            println!("- machine: {}", machine());
            println!(
                "- the server binary as a process of its own (`{}`), {} concurrent clients (one connection each) \
                 for {} s, RssAnon and RssFile of the server process sampled every 100 ms\n",
                options.server_bin.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                options.concurrency,
                options.seconds
            );
            for url in &options.urls {
                memory(url, &options).await?;
            }
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{USAGE}").into()),
    }
}

// ---- The server, in-process, as tests/api/helpers.rs starts it ----

struct Running {
    base: String,
    ctx: Ctx,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start_server(url: &str) -> Res<Running> {
    let config = Config { database_url: url.to_owned(), ..Config::default() };
    let options = leptos::config::LeptosOptions::builder().output_name("backoffice").build();
    let server = http::build(config, options).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let handle = tokio::spawn(http::serve(listener, server.router));
    Ok(Running { base, ctx: server.ctx, handle })
}

impl Running {
    async fn stop(self) {
        self.handle.abort();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.ctx.db.close()).await;
    }
}

/// A JSON client for the in-process server.
struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    fn new(base: &str, concurrency: usize) -> Res<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency * 2)
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Self { base: base.to_owned(), client })
    }

    /// POSTs JSON and answers the JSON body; anything but 2xx is an error.
    async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Res<Value> {
        let mut req = self.client.post(format!("{}{}", self.base, path)).json(body);
        if let Some(t) = token {
            req = req.header("Access-Token", t);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            return Err(format!("POST {path}: {status}: {text}").into());
        }
        Ok(serde_json::from_str(&text)?)
    }

    async fn access_token(&self, path: &str, body: &Value) -> Res<String> {
        text_of(&self.post(path, body, None).await?, "access_token")
    }
}

fn text_of(v: &Value, key: &str) -> Res<String> {
    v[key].as_str().map(str::to_owned).ok_or_else(|| format!("no {key:?} in {v}").into())
}

fn int_of(v: &Value, key: &str) -> Res<i64> {
    v[key].as_i64().ok_or_else(|| format!("no {key:?} in {v}").into())
}

// ---- Databases and where the state file goes ----

fn backend_of(url: &str) -> Backend {
    // As `Db::connect` decides.
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

fn sqlite_path(url: &str) -> Res<PathBuf> {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    Ok(options.get_filename().to_path_buf())
}

/// The URL of the server's `postgres` database, and the database `url` names.
fn pg_parts(url: &str) -> Res<(String, String)> {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, format!("?{q}")),
        None => (url, String::new()),
    };
    let (prefix, name) = main.rsplit_once('/').ok_or("a PostgreSQL URL ends in /<database>")?;
    if name.is_empty() || prefix.ends_with('/') || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{url}: name the database at the end (letters, digits and _ only)").into());
    }
    Ok((format!("{prefix}/postgres{query}"), name.to_owned()))
}

fn state_path(url: &str, options: &Options) -> Res<PathBuf> {
    if let Some(p) = &options.state {
        return Ok(p.clone());
    }
    let name = match backend_of(url) {
        Backend::Sqlite => sqlite_path(url)?.file_stem().and_then(|s| s.to_str()).unwrap_or("sqlite").to_owned(),
        Backend::Postgres => pg_parts(url)?.1,
    };
    Ok(Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("bench").join(format!("{name}.json")))
}

/// SQLite: with `fresh`, deletes the file and its WAL (`Db::connect` creates it again).
/// PostgreSQL: creates the database when missing, or drops and recreates it with `fresh`.
async fn prepare_database(url: &str, fresh: bool) -> Res<()> {
    match backend_of(url) {
        Backend::Sqlite => {
            if fresh {
                let path = sqlite_path(url)?;
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    match std::fs::remove_file(&file) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(format!("{}: {e}", PathBuf::from(file).display()).into()),
                    }
                }
            }
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let (admin, name) = pg_parts(url)?;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .map_err(|e| format!("{admin}: {e} (is PostgreSQL running?)"))?;
            if fresh {
                let forced = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if sqlx::query(&forced).execute(&mut conn).await.is_err() {
                    // Before PostgreSQL 13 there is no FORCE.
                    let plain = format!("DROP DATABASE IF EXISTS \"{name}\"");
                    sqlx::query(&plain).execute(&mut conn).await?;
                }
            }
            let exists: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(name.as_str())
                .fetch_one(&mut conn)
                .await?;
            if exists == 0 {
                let create = format!("CREATE DATABASE \"{name}\"");
                sqlx::query(&create).execute(&mut conn).await?;
            }
            conn.close().await?;
        }
    }
    Ok(())
}

// ---- generate ----

/// SplitMix64: a small deterministic generator, so every run of `generate` makes the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Device `n`'s MAC: `n` times an odd constant, modulo 2^48, is a bijection, so every MAC is
/// unique (in its product and overall) yet they do not sort like the ids.
fn mac_of(n: u64) -> String {
    let x = (n.wrapping_mul(0x5_DEEC_E66D) ^ 0x5A5A_A5A5_5A5A) & 0xFFFF_FFFF_FFFF;
    format!("{x:012X}")
}

fn sql_val(v: impl Into<SqlValue>) -> SimpleExpr {
    Expr::val(v).into()
}

/// What every device row draws on.
struct Population<'a> {
    corp_id: &'a str,
    creator_id: i64,
    products: &'a [String],
    /// (id, code, scope) of every dealer.
    dealers: &'a [(i64, String, String)],
    heavy_buyers: &'a [i64],
    total: u64,
    start_ms: i64,
    now_ms: i64,
}

impl Population<'_> {
    /// Device `n`: which product it is in, and its values in [`DEVICE_COLUMNS`] order.
    fn device_row(&self, rng: &mut Rng, n: u64) -> (usize, Vec<SimpleExpr>) {
        let mut roll = rng.below(100);
        let mut product = PRODUCT_SHARES.len() - 1;
        for (i, share) in PRODUCT_SHARES.iter().enumerate() {
            if roll < *share {
                product = i;
                break;
            }
            roll -= share;
        }
        // Imported steadily over the year, so ids and creation times rise together.
        let step = YEAR_MS as f64 / self.total as f64;
        let create_time = self.start_ms + (n as f64 * step) as i64 + rng.below(3_600_000) as i64;
        let is_active = rng.chance(80);
        let active_date = is_active.then(|| create_time + rng.below(7 * 24 * 3_600_000) as i64);
        // 80 % active × 38 % of those online ≈ 30 % online.
        let is_online = is_active && rng.chance(38);
        let last_login = active_date.map(|a| {
            if is_online {
                self.now_ms - rng.below(24 * 3_600_000) as i64
            } else {
                (a + rng.below(60 * 24 * 3_600_000) as i64).min(self.now_ms)
            }
        });
        let last_login_ip = if is_active {
            format!("10.{}.{}.{}", rng.below(256), rng.below(256), 1 + rng.below(254))
        } else {
            String::new()
        };
        let name = format!("dev-{n} {} {}", rng.pick(&ROOMS), rng.pick(&KINDS));
        let domain = *rng.pick(&["", "eu", "us", "cn"]);
        let mut tags = format!("floor-{}", rng.below(10));
        if rng.chance(5) {
            tags.push_str(",vip");
        }
        let (dealer_id, dealer_scope) = if rng.chance(60) {
            let (id, _, scope) = rng.pick(self.dealers);
            (Some(*id), Some(scope.clone()))
        } else {
            (None, None)
        };
        let (heavy_buyer_id, organization_id) =
            if rng.chance(10) { (Some(*rng.pick(self.heavy_buyers)), Some(0_i64)) } else { (None, None) };
        let values = vec![
            sql_val(self.corp_id.to_owned()),
            sql_val(self.products[product].clone()),
            sql_val(mac_of(n)),
            sql_val(name),
            sql_val(format!("SN{n:010}")),
            sql_val(domain.to_owned()),
            sql_val(tags),
            sql_val(is_active),
            sql_val(active_date),
            sql_val(is_online),
            sql_val(last_login),
            sql_val(last_login_ip),
            sql_val(if rng.chance(50) { "MCU-A1" } else { "MCU-B2" }.to_owned()),
            sql_val(1 + rng.below(9) as i64),
            sql_val("FW-WIFI".to_owned()),
            sql_val(100 + rng.below(20) as i64),
            sql_val(1 + rng.below(6) as i64),
            sql_val(create_time),
            sql_val(self.creator_id),
            sql_val(CREATED_BY_MEMBER),
            sql_val(dealer_id),
            sql_val(dealer_scope),
            sql_val(heavy_buyer_id),
            sql_val(organization_id),
        ];
        (product, values)
    }
}

/// Inserts the devices in multi-row statements inside large transactions; answers how many
/// went to each product.
async fn insert_devices(db: &Db, population: &Population<'_>) -> Res<Vec<u64>> {
    let mut rng = Rng(SEED);
    let mut per_product = vec![0u64; population.products.len()];
    let began = Instant::now();
    let mut n = 0u64;
    while n < population.total {
        let tx_end = (n + ROWS_PER_TRANSACTION).min(population.total);
        let mut tx = db.begin().await?;
        while n < tx_end {
            let statement_end = (n + ROWS_PER_STATEMENT).min(tx_end);
            let mut insert = Query::insert();
            insert.into_table(Alias::new("devices")).columns(DEVICE_COLUMNS.map(Alias::new));
            for i in n..statement_end {
                let (product, values) = population.device_row(&mut rng, i);
                per_product[product] += 1;
                insert.values(values).map_err(|e| format!("device row {i}: {e:?}"))?;
            }
            tx.execute(&insert).await?;
            n = statement_end;
        }
        tx.commit().await?;
        let secs = began.elapsed().as_secs_f64();
        eprintln!(
            "  {} / {} devices, {:.0} s, {} rows/s",
            thousands(n),
            thousands(population.total),
            secs,
            thousands((n as f64 / secs.max(1e-9)) as u64)
        );
    }
    Ok(per_product)
}

async fn generate(url: &str, options: &Options) -> Res<()> {
    let began = Instant::now();
    let backend = backend_of(url);
    eprintln!("[{}] preparing {url}", backend_name(backend));
    prepare_database(url, options.fresh).await?;
    let server = start_server(url).await?;
    let result = fill(&server, url, options, began).await;
    server.stop().await;
    result
}

async fn fill(server: &Running, url: &str, options: &Options, began: Instant) -> Res<()> {
    let backend = backend_of(url);
    let db = &server.ctx.db;
    let (taken,): (i64,) =
        db.fetch_one(&Sql::new("SELECT COUNT(*) FROM members WHERE email = $1").bind(ADMIN_EMAIL.to_owned())).await?;
    if taken > 0 {
        return Err(format!("{url} already holds the bench data; pass --fresh to start over").into());
    }

    // The corp and its admin, as `backoffice create-corp` makes them; room for the devices.
    let created = corp::create_corp(
        &server.ctx,
        NewCorp {
            company: "Bench Devices Ltd".into(),
            name: "Bench admin".into(),
            email: ADMIN_EMAIL.into(),
            phone: ADMIN_PHONE.into(),
            password: Secret::new(ADMIN_PASSWORD),
        },
    )
    .await
    .map_err(|e| format!("create-corp: {}", e.into_api().msg))?;
    let corp_id = created.corp_id.clone();
    let limit = i64::try_from(options.devices).unwrap_or(i64::MAX / 2) + 1_000_000;
    db.execute(&Sql::new("UPDATE corps SET device_limit = $1 WHERE id = $2").bind(limit).bind(corp_id.clone())).await?;

    let api = Api::new(&server.base, 1)?;
    let token = api.access_token("/v2/corp_auth", &json!({"account": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await?;

    eprintln!("[{}] products, dealers and heavy buyers over /v2", backend_name(backend));
    let mut product_ids = Vec::new();
    for (i, share) in PRODUCT_SHARES.iter().enumerate() {
        let body = json!({
            "name": format!("Bench product {}", i + 1),
            "description": format!("{share} % of the bench devices"),
            "link_type": 1 + (i % 5) as i64,
        });
        product_ids.push(text_of(&api.post("/v2/product", &body, Some(token.as_str())).await?, "id")?);
    }

    // The dealer tree; the first dealer of the middle level is the one `run` logs in as.
    let mut n = 0;
    let mut chosen: Option<(String, String)> = None;
    for _ in 0..TOP_DEALERS {
        n += 1;
        let top = add_dealer(&api, &token, n, None).await?;
        for _ in 0..MID_DEALERS {
            n += 1;
            let mid = add_dealer(&api, &token, n, Some(top.as_str())).await?;
            if chosen.is_none() {
                chosen = Some((mid.clone(), dealer_email(n)));
            }
            for _ in 0..LEAF_DEALERS {
                n += 1;
                add_dealer(&api, &token, n, Some(mid.as_str())).await?;
            }
        }
    }
    let dealers: Vec<(i64, String, String)> = db
        .fetch_all(
            &Sql::new("SELECT id, dealer_code, scope FROM dealers WHERE corp_id = $1 ORDER BY id")
                .bind(corp_id.clone()),
        )
        .await?;
    let (mid_code, mid_account) = chosen.ok_or("no dealer was created")?;
    let (mid_id, _, mid_scope) =
        dealers.iter().find(|d| d.1 == mid_code).cloned().ok_or("the chosen dealer is not in the database")?;

    let mut heavy_buyers = Vec::new();
    for i in 1..=HEAVY_BUYERS {
        let body = json!({
            "name": format!("Bench buyer {i}"),
            "email": format!("buyer-{i}@bench.example.com"),
            "phone": format!("137{i:08}"),
            "password": PARTNER_PASSWORD,
            "industry": "Retail",
            "location": "Shanghai",
            "contacter": "Li Lei",
            "contact_way": "021-5555-0101",
        });
        heavy_buyers.push(int_of(&api.post("/v2/heavy_buyer", &body, Some(token.as_str())).await?, "id")?);
    }

    eprintln!("[{}] {} devices", backend_name(backend), thousands(options.devices));
    let now = now_ms();
    let population = Population {
        corp_id: &corp_id,
        creator_id: created.member_id,
        products: &product_ids,
        dealers: &dealers,
        heavy_buyers: &heavy_buyers,
        total: options.devices,
        start_ms: now - YEAR_MS - 3_600_000,
        now_ms: now,
    };
    let inserting = Instant::now();
    let per_product = insert_devices(db, &population).await?;
    let insert_secs = inserting.elapsed().as_secs_f64();

    db.execute(
        &Sql::new(
            "UPDATE corps SET device_total = (SELECT COUNT(*) FROM devices WHERE devices.corp_id = corps.id) WHERE id = $1",
        )
        .bind(corp_id.clone()),
    )
    .await?;
    match db {
        Db::Postgres(pool) => {
            eprintln!("[PostgreSQL] VACUUM ANALYZE devices");
            sqlx::query("VACUUM ANALYZE devices").execute(pool).await?;
        }
        // What the server does at start and hourly (`Db::refresh_statistics`).
        Db::Sqlite(_) => db.refresh_statistics().await?,
    }

    let mut products: Vec<ProductInfo> = product_ids
        .iter()
        .zip(&per_product)
        .map(|(id, count)| ProductInfo { id: id.clone(), devices: *count })
        .collect();
    products.sort_by(|a, b| b.devices.cmp(&a.devices));
    let generate_seconds = began.elapsed().as_secs_f64();
    let state = BenchState {
        backend: backend_name(backend).to_owned(),
        devices: options.devices,
        corp_id: corp_id.clone(),
        admin_account: ADMIN_EMAIL.to_owned(),
        admin_password: ADMIN_PASSWORD.to_owned(),
        dealer: DealerLogin {
            id: mid_id,
            code: mid_code,
            scope: mid_scope,
            account: mid_account,
            password: PARTNER_PASSWORD.to_owned(),
        },
        products,
        like_word: LIKE_WORD.to_owned(),
        generate_seconds,
    };
    let path = state_path(url, options)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, serde_json::to_string_pretty(&state)?)?;

    println!(
        "{}: generated {} devices in {:.1} s (inserts {:.1} s, {} rows/s)",
        backend_name(backend),
        thousands(options.devices),
        generate_seconds,
        insert_secs,
        thousands((options.devices as f64 / insert_secs.max(1e-9)) as u64)
    );
    println!(
        "  corp {corp_id}: {} products ({} devices in the largest), {} dealers, {} heavy buyers",
        state.products.len(),
        thousands(state.products[0].devices),
        dealers.len(),
        heavy_buyers.len()
    );
    println!("  state: {}", path.display());
    Ok(())
}

fn dealer_email(n: usize) -> String {
    format!("dealer-{n}@bench.example.com")
}

/// Adds dealer number `n` over `POST /v2/dealer`; answers its code.
async fn add_dealer(api: &Api, token: &str, n: usize, upper_code: Option<&str>) -> Res<String> {
    let mut body = json!({
        "name": format!("Bench dealer {n}"),
        "email": dealer_email(n),
        "phone": format!("138{n:08}"),
        "password": PARTNER_PASSWORD,
        "address": format!("Dealer Road {n}"),
    });
    if let Some(code) = upper_code {
        body["upper_dealer_code"] = json!(code);
    }
    text_of(&api.post("/v2/dealer", &body, Some(token)).await?, "dealer_code")
}

// ---- run ----

/// One list request as a caller makes it, and the scope the service gives that caller.
struct Shape {
    name: String,
    path: String,
    token: String,
    body: Value,
    scope: Scope,
}

/// The scope `service::device`'s `visible()` builds: the product, and what the caller may see
/// within it.
fn visible(product_id: &str, within: Condition) -> Scope {
    Scope::tenant("product_id", product_id.to_owned()).and(within)
}

struct Stats {
    requests: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Stats {
    fn new(mut latencies: Vec<Duration>, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        Stats {
            requests: latencies.len(),
            elapsed,
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
        }
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Nearest rank: the smallest latency at least `q` of the requests did not exceed.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `op` back to back on `concurrency` tasks until `duration` has passed; every call's
/// latency counts, and throughput is calls over the wall time until the last one returned.
async fn measure<F, Fut>(op: Arc<F>, concurrency: usize, duration: Duration) -> Res<Stats>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Res<()>> + Send + 'static,
{
    let started = Instant::now();
    let until = started + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let op = Arc::clone(&op);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let t0 = Instant::now();
                (*op)().await?;
                latencies.push(t0.elapsed());
            }
            Ok::<Vec<Duration>, BoxError>(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    Ok(Stats::new(all, started.elapsed()))
}

struct Outcome {
    name: String,
    count: i64,
    agrees: bool,
    endpoint: Stats,
    raw: Stats,
    /// The page statement as sent, and its bound values (the first few).
    sql: String,
    bound: String,
}

/// What `generate` left for `url`.
fn load_state(url: &str, options: &Options) -> Res<BenchState> {
    let path = state_path(url, options)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (run `generate --database-url {url}` first)", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// The tokens of the corp admin and the measured dealer.
async fn sign_in(api: &Api, state: &BenchState) -> Res<(String, String)> {
    let admin = api
        .access_token("/v2/corp_auth", &json!({"account": state.admin_account, "password": state.admin_password}))
        .await?;
    let dealer = api
        .access_token(
            "/v2/dealer_auth",
            &json!({"corp_id": state.corp_id, "account": state.dealer.account, "password": state.dealer.password}),
        )
        .await?;
    Ok((admin, dealer))
}

async fn run(url: &str, options: &Options) -> Res<()> {
    let state = load_state(url, options)?;
    let server = start_server(url).await?;
    let result = measure_all(&server, url, &state, options).await;
    server.stop().await;
    result
}

async fn measure_all(server: &Running, url: &str, state: &BenchState, options: &Options) -> Res<()> {
    let db = server.ctx.db.clone();
    let backend = db.backend();
    let api = Api::new(&server.base, options.concurrency)?;
    let (admin_token, dealer_token) = sign_in(&api, state).await?;
    let product = state.products.first().ok_or("the state lists no products")?;
    let (device_total,): (i64,) =
        db.fetch_one(&Sql::new("SELECT device_total FROM corps WHERE id = $1").bind(state.corp_id.clone())).await?;
    let (version,): (String,) = match backend {
        Backend::Sqlite => db.fetch_one(&Sql::new("SELECT 'SQLite ' || sqlite_version()")).await?,
        Backend::Postgres => db.fetch_one(&Sql::new("SELECT version()")).await?,
    };
    let version = version.split(',').next().unwrap_or_default().to_owned();

    let macs = sample_macs(&db, &product.id, product.devices).await?;
    let deep: u64 = if product.devices > 200_000 { 100_000 } else { product.devices / 2 };
    let corp_path = format!("/v2/product/{}/devices", product.id);
    let corp_shape = |name: &str, body: Value| Shape {
        name: name.to_owned(),
        path: corp_path.clone(),
        token: admin_token.clone(),
        body,
        scope: visible(&product.id, Condition::all()),
    };
    let shapes = vec![
        corp_shape("first page (baseline)", json!({"limit": 10})),
        corp_shape(
            "`is_online`, newest first",
            json!({"query": {"is_online": true}, "order": {"create_time": "desc"}, "limit": 10}),
        ),
        corp_shape(
            &format!("`mac` `$in` {} values", macs.len()),
            json!({"query": {"mac": {"$in": macs}}, "limit": 50}),
        ),
        corp_shape(
            &format!("`name` `$like` \"{}\"", state.like_word),
            json!({"query": {"name": {"$like": state.like_word}}, "limit": 10}),
        ),
        Shape {
            name: format!("dealer's scoped list ({})", state.dealer.code),
            path: format!("/v2/dealer/product/{}/devices", product.id),
            token: dealer_token.clone(),
            body: json!({"limit": 10}),
            scope: visible(&product.id, backoffice::server::scope::dealer_chain(&state.dealer.scope)),
        },
        corp_shape(&format!("deep offset {}", thousands(deep)), json!({"offset": deep, "limit": 10})),
    ];

    let mut outcomes = Vec::new();
    for shape in &shapes {
        eprintln!("[{}] {}", backend_name(backend), shape.name);
        let outcome = bench_shape(shape, &api, &db, options).await?;
        eprintln!(
            "  endpoint {:.1} req/s (p50 {:.2} ms), raw {:.1} req/s (p50 {:.2} ms)",
            outcome.endpoint.per_second(),
            ms(outcome.endpoint.p50),
            outcome.raw.per_second(),
            ms(outcome.raw.p50)
        );
        outcomes.push(outcome);
    }

    println!("## {}: {} devices\n", backend_name(backend), thousands(u64::try_from(device_total).unwrap_or(0)));
    println!("- database: {version} (`{}`)", redact(url));
    println!(
        "- measured product: `{}` with {} devices (the largest of {}); dealer `{}` (a middle level of the tree, \
         scope `{}`); data generated in {:.0} s",
        product.id,
        thousands(product.devices),
        state.products.len(),
        state.dealer.code,
        state.dealer.scope,
        state.generate_seconds
    );
    println!();
    println!(
        "| shape | endpoint req/s | endpoint p50 ms | endpoint p99 ms | raw req/s | raw p50 ms | raw p99 ms | \
         endpoint/raw throughput | matches |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for o in &outcomes {
        let ratio = o.endpoint.per_second() / o.raw.per_second().max(1e-9);
        let matches = if o.agrees { thousands(u64::try_from(o.count).unwrap_or(0)) } else { "DIFFERS".to_owned() };
        println!(
            "| {} | {:.1} | {:.2} | {:.2} | {:.1} | {:.2} | {:.2} | {:.2} | {} |",
            o.name,
            o.endpoint.per_second(),
            ms(o.endpoint.p50),
            ms(o.endpoint.p99),
            o.raw.per_second(),
            ms(o.raw.p50),
            ms(o.raw.p99),
            ratio,
            matches
        );
    }
    println!();
    println!("`matches`: rows the filter matches (`count`); DIFFERS if the endpoint's count or page ids differ from the raw statements'.");
    println!();
    println!("<details><summary>Page statements as sent to {}</summary>\n", backend_name(backend));
    for o in &outcomes {
        println!("- {}: `{}` with [{}]", o.name, o.sql, o.bound);
    }
    println!("\n</details>\n");
    Ok(())
}

/// 50 MACs of the product, spread over its ids (fewer only when the product is that small).
async fn sample_macs(db: &Db, product_id: &str, devices: u64) -> Res<Vec<String>> {
    let stride = i64::try_from((devices / 60).max(1)).unwrap_or(1);
    let mut rows: Vec<(String,)> = db
        .fetch_all(
            &Sql::new("SELECT mac FROM devices WHERE product_id = $1 AND id % $2 = 0 ORDER BY id LIMIT 50")
                .bind(product_id.to_owned())
                .bind(stride),
        )
        .await?;
    if rows.len() < 50 {
        rows = db
            .fetch_all(
                &Sql::new("SELECT mac FROM devices WHERE product_id = $1 ORDER BY id LIMIT 50")
                    .bind(product_id.to_owned()),
            )
            .await?;
    }
    Ok(rows.into_iter().map(|(mac,)| mac).collect())
}

/// The raw side of a list, as `list::run` does it: the count, then the page unless the offset
/// is past the last match.
async fn raw_list(
    db: &Db,
    query: &ListQuery,
    count: &SelectStatement,
    page: &SelectStatement,
) -> Res<(i64, Vec<RawDevice>)> {
    let (n,): (i64,) = db.fetch_one(count).await?;
    if query.offset >= u64::try_from(n).unwrap_or(0) {
        return Ok((n, Vec::new()));
    }
    let rows: Vec<RawDevice> = db.fetch_all(page).await?;
    Ok((n, rows))
}

async fn bench_shape(shape: &Shape, api: &Api, db: &Db, options: &Options) -> Res<Outcome> {
    let query = list::parse(&DEVICES, &shape.body).map_err(|e| format!("{}: {} {}", shape.name, e.code, e.msg))?;
    let (count_stmt, page_stmt) = query.select(&DEVICES, shape.scope.clone());

    // Once each way first: both sides must find the same rows.
    let answer = api.post(&shape.path, &shape.body, Some(shape.token.as_str())).await?;
    let endpoint_count = int_of(&answer, "count")?;
    let endpoint_ids: Vec<i64> =
        answer["list"].as_array().map(|l| l.iter().filter_map(|d| d["id"].as_i64()).collect()).unwrap_or_default();
    let (raw_count, raw_rows) = raw_list(db, &query, &count_stmt, &page_stmt).await?;
    let raw_ids: Vec<i64> = raw_rows.iter().map(|r| r.id).collect();
    let agrees = endpoint_count == raw_count && endpoint_ids == raw_ids;
    if !agrees {
        eprintln!(
            "  WARNING: endpoint count {endpoint_count} ids {endpoint_ids:?}, raw count {raw_count} ids {raw_ids:?}"
        );
    }

    let http_op = {
        let client = api.client.clone();
        let url = format!("{}{}", api.base, shape.path);
        let token = shape.token.clone();
        let body = serde_json::to_string(&shape.body)?;
        Arc::new(move || {
            let req = client
                .post(url.as_str())
                .header("Access-Token", token.as_str())
                .header("Content-Type", "application/json")
                .body(body.clone());
            async move {
                let res = req.send().await?;
                let status = res.status();
                let bytes = res.bytes().await?;
                if status.is_success() {
                    Ok::<(), BoxError>(())
                } else {
                    Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)).into())
                }
            }
        })
    };
    let raw_op = {
        let db = db.clone();
        let query = Arc::new(query.clone());
        let count = Arc::new(count_stmt.clone());
        let page = Arc::new(page_stmt.clone());
        Arc::new(move || {
            let (db, query, count, page) = (db.clone(), Arc::clone(&query), Arc::clone(&count), Arc::clone(&page));
            async move {
                let rows = raw_list(&db, &query, &count, &page).await?;
                std::hint::black_box(rows);
                Ok::<(), BoxError>(())
            }
        })
    };

    let warmup = Duration::from_secs_f64(options.warmup);
    let duration = Duration::from_secs_f64(options.seconds);
    if !warmup.is_zero() {
        measure(Arc::clone(&http_op), options.concurrency, warmup).await?;
    }
    let endpoint = measure(http_op, options.concurrency, duration).await?;
    if !warmup.is_zero() {
        measure(Arc::clone(&raw_op), options.concurrency, warmup).await?;
    }
    let raw = measure(raw_op, options.concurrency, duration).await?;

    let (sql, values) = page_stmt.render(db.backend());
    let mut bound: Vec<String> = values.0.iter().take(8).map(show_value).collect();
    if values.0.len() > bound.len() {
        bound.push(format!("… {} more", values.0.len() - bound.len()));
    }
    Ok(Outcome { name: shape.name.clone(), count: raw_count, agrees, endpoint, raw, sql, bound: bound.join(", ") })
}

fn show_value(v: &SqlValue) -> String {
    match v {
        SqlValue::String(Some(s)) => format!("'{s}'"),
        SqlValue::BigInt(Some(n)) => n.to_string(),
        SqlValue::BigUnsigned(Some(n)) => n.to_string(),
        SqlValue::Bool(Some(b)) => b.to_string(),
        other => format!("{other:?}"),
    }
}

// ---- Report helpers ----

/// `nproc`, the CPU model and the memory, from the system itself.
fn machine() -> String {
    let nproc = std::process::Command::new("nproc")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<usize>().ok())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == "model name").then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU model".to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: u64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    format!("nproc {nproc}, {model}, {:.1} GiB memory", mem_kb as f64 / (1024.0 * 1024.0))
}

/// The URL without its password, for the report.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            let user = user.split_once(':').map(|(u, _)| u).unwrap_or(user);
            format!("{}://{user}{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---- Memory: the real server process under many connections ----

/// A process's resident memory in KiB from `/proc/<pid>/status`: (anonymous, file-backed and
/// shared). Anonymous memory is what the process itself holds (heap, SQLite's page caches);
/// file-backed pages (the binary, the memory-mapped database) the kernel may drop and re-read.
fn resident(pid: u32) -> Res<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok((field("RssAnon:"), field("RssFile:") + field("RssShmem:")))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Kills the server when the measurement ends, however it ends.
struct ServerProcess(std::process::Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `--server-bin` over the database as a deployment would (its own process, the default
/// memory settings unless the environment sets `SQLITE_CACHE_KIB` / `SQLITE_MMAP_BYTES`), drives
/// `--concurrency` clients at the device lists for `--seconds`, and reports the server's
/// resident memory idle, at its peak and at the end.
async fn memory(url: &str, options: &Options) -> Res<()> {
    let bin = options.server_bin.as_ref().ok_or("memory needs --server-bin (target/release/backoffice)")?;
    let state = load_state(url, options)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = ServerProcess(
        std::process::Command::new(bin)
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("MQTT_LISTEN", "off")
            .env("WATCHDOG_SECONDS", "0")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?,
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let api = Api::new(&base, options.concurrency)?;
    let started = Instant::now();
    while !api.client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
        if started.elapsed() > Duration::from_secs(300) {
            return Err("the server did not become ready within 5 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (admin, dealer) = sign_in(&api, &state).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = resident(pid)?;

    // The list shapes of `run`, round robin, but the `$like` scan (2 s a call: 256 clients would
    // only queue behind it for the pool).
    let product = state.products.first().ok_or("the state lists no products")?;
    let deep = if product.devices > 200_000 { 100_000 } else { product.devices / 2 };
    let corp_path = format!("/v2/product/{}/devices", product.id);
    let shapes: Vec<(String, String, Value)> = vec![
        (corp_path.clone(), admin.clone(), json!({"limit": 10})),
        (
            corp_path.clone(),
            admin.clone(),
            json!({"query": {"is_online": true}, "order": {"create_time": "desc"}, "limit": 10}),
        ),
        (corp_path.clone(), admin.clone(), json!({"offset": deep, "limit": 10})),
        (corp_path.clone(), admin.clone(), json!({"query": {"is_online": false}, "limit": 100})),
        (format!("/v2/dealer/product/{}/devices", product.id), dealer.clone(), json!({"limit": 10})),
    ];
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let api = Arc::new(api);
    let shapes = Arc::new(shapes);
    let op = Arc::new(move || {
        let (api, shapes, next) = (api.clone(), shapes.clone(), next.clone());
        async move {
            let (path, token, body) = &shapes[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % shapes.len()];
            api.post(path, body, Some(token)).await.map(|_| ())
        }
    });

    let peak = Arc::new(std::sync::Mutex::new(idle));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = tokio::spawn({
        let (peak, sampling) = (peak.clone(), sampling.clone());
        async move {
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((anon, file)) = resident(pid) {
                    let mut p = peak.lock().expect("peak");
                    *p = (p.0.max(anon), p.1.max(file));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    let stats = measure(op, options.concurrency, Duration::from_secs_f64(options.seconds)).await;
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let _ = sampler.await;
    let stats = stats?;
    let end = resident(pid)?;
    let peak = *peak.lock().expect("peak");
    drop(server);

    println!("## {} ({} devices)\n", backend_name(backend_of(url)), thousands(state.devices));
    println!(
        "{} requests, {:.1} a second, p50 {:.1} ms, p99 {:.1} ms, none failed.\n",
        stats.requests,
        stats.per_second(),
        ms(stats.p50),
        ms(stats.p99)
    );
    println!("| server memory (MiB) | idle | peak | end |");
    println!("|---|---:|---:|---:|");
    println!("| anonymous (RssAnon) | {:.0} | {:.0} | {:.0} |", mib(idle.0), mib(peak.0), mib(end.0));
    println!("| file-backed (RssFile + RssShmem) | {:.0} | {:.0} | {:.0} |", mib(idle.1), mib(peak.1), mib(end.1));
    println!();
    Ok(())
}
