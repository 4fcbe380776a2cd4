//! A real server on a free port over a fresh database, and an HTTP client to talk to it.

use std::time::Duration;

use backoffice::server::{
    clock::now_ms,
    config::{Config, Sms},
    db::Sql,
    http,
    secret::{random_hex, SealKey, Secret},
    service::corp::{self, NewCorp},
    state::Ctx,
};
use reqwest::{header::HeaderMap, StatusCode};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `sqlite::name` and `postgres::name` tests from `async fn name(Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::helpers::Backend::Postgres).await } )*
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub ctx: Ctx,
    pub database_url: String,
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database URL for a brand-new, empty database on `backend`.
pub async fn fresh_database(backend: Backend) -> String {
    let name = format!("bo_test_{}", random_hex(6));
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite:{}", path.display())
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let admin = postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("PostgreSQL must be running for the postgres tests (see README)");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin);
            format!("{base}/{name}")
        }
    }
}

/// Settings for tests: the defaults, with a secrets key of the test's own, the log SMS
/// provider writing an outbox file of the test's own (where [`TestApp::sms_code`] reads codes),
/// and no MQTT broker (the connectivity tests start theirs).
pub fn test_config() -> Config {
    let outbox = std::env::temp_dir().join(format!("bo_sms_{}.jsonl", random_hex(6)));
    Config {
        secrets_key: Some(SealKey::random()),
        sms: Sms::Log { outbox: Some(outbox) },
        mqtt: backoffice::server::config::Mqtt::Off,
        ..Config::default()
    }
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, test_config()).await
}

/// Makes every `tracing` callsite ask the current thread's subscriber each time, for the tests
/// that capture one thread's log lines ([`tracing::subscriber::set_default`]).
///
/// Without it tracing caches, per callsite and for the whole process, whether anyone listens:
/// while one thread-local subscriber is the only one registered, a callsite first reached on
/// another thread is computed against that thread's (none: "never") and stays silent for the
/// capturing thread too, so a capture could miss lines depending on which test ran first. A
/// global subscriber that answers "sometimes" and records nothing keeps every callsite live.
pub fn keep_callsites_undecided() {
    struct Undecided;
    impl tracing::Subscriber for Undecided {
        fn register_callsite(&self, _: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
            tracing::subscriber::Interest::sometimes()
        }
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            false
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, _: &tracing::Event<'_>) {}
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(Undecided);
    });
}

pub async fn spawn_with(backend: Backend, mut config: Config) -> TestApp {
    keep_callsites_undecided();
    let database_url = fresh_database(backend).await;
    config.database_url = database_url.clone();
    let options = leptos::config::LeptosOptions::builder().output_name("backoffice").build();
    let server = http::build(config, options).await.expect("server builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, server.router));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    TestApp { base, client, ctx: server.ctx, database_url }
}

/// A corp with its admin, as `create-corp` makes it.
pub struct Corp {
    pub corp_id: String,
    pub member_id: i64,
    pub email: String,
    pub phone: String,
    pub password: String,
}

/// An answer: status, headers and JSON body (Null when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// Asserts the contract's error body with this code, and the status the code implies.
    #[track_caller]
    pub fn assert_error(&self, code: u32) {
        assert_eq!(self.status.as_u16() as u32, code / 10_000, "status for {code}: {:?}", self.body);
        assert_eq!(self.body["error"]["code"], json!(code), "code: {:?}", self.body);
        assert!(self.body["error"]["msg"].is_string(), "msg: {:?}", self.body);
        assert_eq!(self.body.as_object().map(|o| o.len()), Some(1), "only `error`: {:?}", self.body);
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{:?}", self.body);
        &self.body
    }

    /// Asserts `/api`'s success envelope with `status`; answers its `data`.
    #[track_caller]
    pub fn ok_envelope(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{:?}", self.body);
        assert_eq!(self.body["status"], json!(true), "{:?}", self.body);
        assert_eq!(self.body["code"], json!("0"), "{:?}", self.body);
        assert_eq!(self.body["message"], json!("OK"), "{:?}", self.body);
        assert!(self.body["total"].is_i64(), "{:?}", self.body);
        &self.body["data"]
    }

    /// Asserts `/api`'s failure envelope with this code (a string) and the status it implies.
    #[track_caller]
    pub fn assert_failure(&self, code: u32) {
        assert_eq!(self.status.as_u16() as u32, code / 10_000, "status for {code}: {:?}", self.body);
        assert_eq!(self.body["status"], json!(false), "{:?}", self.body);
        assert_eq!(self.body["code"], json!(code.to_string()), "{:?}", self.body);
        assert!(self.body["message"].is_string(), "{:?}", self.body);
        assert_eq!((self.body["total"].clone(), self.body["data"].clone()), (json!(0), Value::Null), "{:?}", self.body);
    }

    /// Asserts `200 OK` with an empty body (the documents' 无).
    #[track_caller]
    pub fn assert_empty(&self) {
        assert_eq!(self.status, StatusCode::OK, "{:?}", self.body);
        assert!(self.body.is_null(), "an empty body: {:?}", self.body);
    }
}

/// An email address no other test account uses.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", random_hex(4))
}

/// A phone number ("139" and 8 digits) no other test account is likely to use.
pub fn unique_phone() -> String {
    let n = u32::from_str_radix(&random_hex(4), 16).unwrap() % 100_000_000;
    format!("139{n:08}")
}

/// The password `add_member` gives every member it adds.
pub const MEMBER_PASSWORD: &str = "member-1";

/// The password `add_dealer` gives every dealer it adds.
pub const DEALER_PASSWORD: &str = "Dealer-pass1";

/// The password `add_heavy_buyer` gives every heavy buyer it adds.
pub const BUYER_PASSWORD: &str = "Buyer-pass1";

/// A valid `POST /v2/dealer` body with a fresh email and phone and [`DEALER_PASSWORD`].
pub fn new_dealer(name: &str, upper_dealer_code: Option<&str>) -> Value {
    let mut body = json!({
        "name": name,
        "email": unique_email("dealer"),
        "phone": unique_phone(),
        "password": DEALER_PASSWORD,
        "address": format!("{name} Road 1"),
    });
    if let Some(code) = upper_dealer_code {
        body["upper_dealer_code"] = json!(code);
    }
    body
}

/// A valid `POST /v2/heavy_buyer` body, every profile field filled, with a fresh email and
/// phone and [`BUYER_PASSWORD`].
pub fn new_heavy_buyer(name: &str) -> Value {
    json!({
        "name": name,
        "email": unique_email("buyer"),
        "phone": unique_phone(),
        "password": BUYER_PASSWORD,
        "industry": "Retail",
        "location": "Shanghai",
        "contacter": "Li Lei",
        "contact_way": "021-5555-0101",
    })
}

impl TestApp {
    /// Creates a corp and its admin through the same service `create-corp` uses.
    pub async fn create_corp(&self, tag: &str) -> Corp {
        let email = format!("{tag}-{}@example.com", random_hex(3));
        let n = u32::from_str_radix(&random_hex(4), 16).unwrap() % 100_000_000;
        let phone = format!("139{n:08}");
        let password = "secret-1".to_owned();
        let created = corp::create_corp(
            &self.ctx,
            NewCorp {
                company: format!("{tag} Ltd"),
                name: format!("{tag} admin"),
                email: email.clone(),
                phone: phone.clone(),
                password: Secret::new(password.clone()),
            },
        )
        .await
        .expect("corp created");
        Corp { corp_id: created.corp_id, member_id: created.member_id, email, phone, password }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body }
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Answer {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.header("Access-Token", t);
        }
        self.send(req).await
    }

    pub async fn post_raw(&self, path: &str, body: &'static str) -> Answer {
        self.send(self.client.post(self.url(path)).header("Content-Type", "application/json").body(body)).await
    }

    /// `PUT` with an optional JSON body (none at all when `body` is `None`).
    pub async fn put(&self, path: &str, body: Option<&Value>, token: Option<&str>) -> Answer {
        let mut req = self.client.put(self.url(path));
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(t) = token {
            req = req.header("Access-Token", t);
        }
        self.send(req).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = token {
            req = req.header("Access-Token", t);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.header("Access-Token", t);
        }
        self.send(req).await
    }

    /// Logs in over `/v2/corp_auth` and answers the body.
    pub async fn corp_auth(&self, account: &str, password: &str) -> Answer {
        self.post("/v2/corp_auth", &json!({ "account": account, "password": password }), None).await
    }

    /// Logs the corp's admin in and answers (access, refresh).
    pub async fn login(&self, corp: &Corp) -> (String, String) {
        let a = self.corp_auth(&corp.email, &corp.password).await;
        let b = a.assert_ok();
        (b["access_token"].as_str().unwrap().to_owned(), b["refresh_token"].as_str().unwrap().to_owned())
    }

    /// Logs a member in by email (or phone) and answers its access token.
    pub async fn login_as(&self, account: &str, password: &str) -> String {
        let a = self.corp_auth(account, password).await;
        a.assert_ok()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// An admin adds a member over `/v2/corp/member_add` with a fresh email and phone and the
    /// password [`MEMBER_PASSWORD`]; answers (id, email, password).
    pub async fn add_member(&self, admin_token: &str, role: i64, role_id: Option<i64>) -> (i64, String, String) {
        let email = unique_email("member");
        let password = MEMBER_PASSWORD.to_owned();
        let mut body = json!({
            "email": email,
            "phone": unique_phone(),
            "name": format!("member {}", random_hex(2)),
            "password": password,
            "type": role,
        });
        if let Some(r) = role_id {
            body["role_id"] = json!(r);
        }
        let a = self.post("/v2/corp/member_add", &body, Some(admin_token)).await;
        let id = a.assert_ok()["id"].as_i64().expect("member id");
        (id, email, password)
    }

    /// An admin creates a custom role over `/v2/member_role_add`; answers its id.
    pub async fn add_role(&self, admin_token: &str, name: &str, features: &[i64]) -> i64 {
        let body = json!({ "name": name, "features": features });
        let a = self.post("/v2/member_role_add", &body, Some(admin_token)).await;
        a.assert_ok()["id"].as_i64().expect("role id")
    }

    /// Adds a dealer over `POST /v2/dealer` (fresh email and phone, [`DEALER_PASSWORD`]), under
    /// `upper_code` when given; asserts 200 and answers the new dealer.
    pub async fn add_dealer(&self, corp_token: &str, upper_code: Option<&str>) -> Value {
        let body = new_dealer(&format!("dealer {}", random_hex(2)), upper_code);
        let a = self.post("/v2/dealer", &body, Some(corp_token)).await;
        a.assert_ok().clone()
    }

    /// Adds a heavy buyer over `POST /v2/heavy_buyer` (every field filled, [`BUYER_PASSWORD`]);
    /// asserts 200 and answers the new heavy buyer.
    pub async fn add_heavy_buyer(&self, corp_token: &str) -> Value {
        let body = new_heavy_buyer(&format!("buyer {}", random_hex(2)));
        let a = self.post("/v2/heavy_buyer", &body, Some(corp_token)).await;
        a.assert_ok().clone()
    }

    /// A product made over `POST /v2/product` with one device (MAC `AABBCCDDEE01`); answers the
    /// product's id and the device's.
    pub async fn product_with_device(&self, corp_token: &str) -> (String, i64) {
        let product = self.post("/v2/product", &json!({ "name": "Lamp", "link_type": 1 }), Some(corp_token)).await;
        let product = product.assert_ok()["id"].as_str().expect("product id").to_owned();
        let device = json!({ "mac": "AABBCCDDEE01" });
        let device = self.post(&format!("/v2/product/{product}/device"), &device, Some(corp_token)).await;
        let device = device.assert_ok()["id"].as_i64().expect("device id");
        (product, device)
    }

    /// Logs a dealer in over `/v2/dealer_auth` and answers the answer.
    pub async fn dealer_auth(&self, corp_id: &str, account: &str, password: &str) -> Answer {
        let body = json!({ "corp_id": corp_id, "account": account, "password": password });
        self.post("/v2/dealer_auth", &body, None).await
    }

    /// Logs a heavy buyer in over `/v2/heavy_buyer_auth` and answers the answer.
    pub async fn heavy_buyer_auth(&self, corp_id: &str, account: &str, password: &str) -> Answer {
        let body = json!({ "corp_id": corp_id, "account": account, "password": password });
        self.post("/v2/heavy_buyer_auth", &body, None).await
    }

    /// Logs in a dealer `add_dealer` made (by its email) and answers its access token.
    pub async fn dealer_token(&self, corp_id: &str, dealer: &Value) -> String {
        let a = self.dealer_auth(corp_id, dealer["email"].as_str().expect("dealer email"), DEALER_PASSWORD).await;
        a.assert_ok()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Logs in a heavy buyer `add_heavy_buyer` made (by its email) and answers its access token.
    pub async fn heavy_buyer_token(&self, corp_id: &str, buyer: &Value) -> String {
        let a = self.heavy_buyer_auth(corp_id, buyer["email"].as_str().expect("buyer email"), BUYER_PASSWORD).await;
        a.assert_ok()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Inserts a product of `corp_id` straight into the database (for tests that need devices
    /// before the products API exists); answers its 32-character id.
    pub async fn insert_product(&self, corp_id: &str) -> String {
        let id = random_hex(16);
        let sql = Sql::new(
            "INSERT INTO products (id, corp_id, name, link_type, key, create_time) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(corp_id.to_owned())
        .bind(format!("product {}", random_hex(2)))
        .bind(1i64)
        .bind(random_hex(8))
        .bind(now_ms());
        self.ctx.db.execute(&sql).await.expect("product inserted");
        id
    }

    /// Loads a page as a browser does (`Accept: text/html`), without following redirects.
    ///
    /// A watch for a defect that may not be gone: under the full suite's load a page now and
    /// then got no answer at all (every thread parked; about one run in five of `web::
    /// shop_pages:: contract:: wechatpay:: --test-threads 8`, with the 302-that-became-403 of
    /// `a_disabled_member_loses_the_session_at_once` beside it). Since a refusal no longer
    /// overwrites a redirect the page already decided (`server::fns::refuse`), 16 such runs had
    /// neither. A load that gets nothing in 10 s is reported loudly and made once more, so the
    /// log says whether it is back; a page that fails or hangs twice still fails the test.
    pub async fn page(&self, path: &str) -> reqwest::Response {
        let load = || {
            self.client
                .get(self.url(path))
                .header("Accept", "text/html,application/xhtml+xml")
                .timeout(Duration::from_secs(10))
                .send()
        };
        match load().await {
            Ok(res) => res,
            Err(e) if e.is_timeout() => {
                eprintln!("HUNG RENDER: GET {path} got no answer in 10 s; loading it once more (see TestApp::page)");
                load().await.expect("page loaded on the second try")
            }
            Err(e) => panic!("page loaded: {e}"),
        }
    }

    /// The messages the log SMS provider sent to `mobile`, oldest first.
    pub fn sms_to(&self, mobile: &str) -> Vec<Value> {
        let Sms::Log { outbox: Some(path) } = &self.ctx.config.sms else {
            panic!("tests use the log provider's outbox")
        };
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["mobile"] == mobile)
            .collect()
    }

    /// The code of the last message sent to `mobile`.
    #[track_caller]
    pub fn sms_code(&self, mobile: &str) -> String {
        let sent = self.sms_to(mobile);
        let last = sent.last().unwrap_or_else(|| panic!("no SMS to {mobile}"));
        last["code"].as_str().expect("code").to_owned()
    }

    /// Calls a server function the way the portal's forms do (URL-encoded, same origin).
    pub async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/fn/{name}")))
            .header("Origin", self.base.clone())
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server function called")
    }
}
