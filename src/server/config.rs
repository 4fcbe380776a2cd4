//! Typed settings from the environment (and an optional `.env`). `.env.example` documents each.

use std::{path::PathBuf, time::Duration};

use crate::server::secret::{SealKey, Secret};

/// `Debug` shows the database URL without its password (the settings are logged at start).
#[derive(Clone)]
pub struct Config {
    /// `sqlite:…` or `postgres://…`; defaults to an SQLite file under `data/`.
    pub database_url: String,
    /// Lifetime of an access/refresh token pair (`expire_in`).
    pub token_ttl: Duration,
    /// Consecutive wrong passwords that lock an account, and for how long.
    pub lock_after_failures: u32,
    pub lock_duration: Duration,
    /// Wrong passwords from one client address within the window that throttle the address.
    pub throttle_after_failures: u32,
    pub throttle_window: Duration,
    /// A browser session ends after this long without a request.
    pub session_idle: Duration,
    /// Mark the session cookie `Secure` (serve over HTTPS when this is on).
    pub cookie_secure: bool,
    /// How many reverse proxies of ours stand in front of the server: the client address is the
    /// `X-Forwarded-For` entry that many from the right (0: the socket peer, the header ignored).
    pub trusted_proxy_hops: usize,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// End the process when it has made no progress for this long (`None`: no watchdog).
    pub watchdog: Option<Duration>,
    /// Told to stop (SIGTERM, Ctrl-C), the server keeps accepting for this long while `/readyz`
    /// says it is not ready, so a load balancer moves new requests away
    /// (`SHUTDOWN_DRAIN_SECONDS`, 0).
    pub shutdown_drain: Duration,
    /// Then it stops accepting and lets the requests in flight finish, at most this long
    /// (`SHUTDOWN_GRACE_SECONDS`, 20).
    pub shutdown_grace: Duration,
    /// How long expired logins, old login failures and audit entries are kept.
    pub retention: Duration,
    /// Web origins (`https://console.example.com`) whose pages may call `/v2` from the browser
    /// (CORS); none by default.
    pub cors_allowed_origins: Vec<String>,
    /// `METRICS_TOKEN`: `GET /metrics` on the public listener answers a bearer of it (unset: no
    /// `/metrics` there).
    pub metrics_token: Option<String>,
    /// `METRICS_LISTEN`: a listener of its own for `/metrics`, without a token (keep it private).
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// `LOG_FORMAT=json`: one JSON object a line, for log shippers (default: text).
    pub log_json: bool,
    /// The key vendors' secrets are sealed with (`SECRETS_KEY`, 64 hex digits). Unset: the key
    /// in `secrets_key_file`, made on first start (`http::build` fills this in).
    pub secrets_key: Option<SealKey>,
    pub secrets_key_file: PathBuf,
    /// How verification codes reach a phone (`SMS_PROVIDER`).
    pub sms: Sms,
    /// Where devices connect (`MQTT_LISTEN`, `MQTT_URL`).
    pub mqtt: Mqtt,
    /// `MQTT_TOPIC_ROOT`: the first level of every device topic (`d`).
    pub mqtt_topic_root: String,
    /// How long devices' raw messages are kept (`MQTT_RETENTION_DAYS`).
    pub mqtt_retention: Duration,
    /// An unpaid order closes after this long (`ORDER_PAY_MINUTES`, 30).
    pub order_pay_window: Duration,
    /// A shipped order counts as received after this long (`ORDER_RECEIVE_DAYS`, 10).
    pub order_receive_after: Duration,
    /// A received order may be returned for this long, then it is done (`ORDER_RETURN_DAYS`, 7).
    pub order_return_window: Duration,
    /// An expired lease's grace period: this long after it expired unrenewed, a removal ticket
    /// is made (`LEASE_GRACE_DAYS`, 7).
    pub lease_grace: Duration,
    /// The least commission one withdrawal takes, in fen (`COMMISSION_MIN_WITHDRAW`, 100).
    pub commission_min_withdraw: i64,
    /// WeChat Pay API v3 (`WECHATPAY_BASE_URL`): where requests go, for every vendor whose
    /// merchant is configured.
    pub wechatpay_base_url: String,
    /// `WECHATPAY_NOTIFY_URL`: the public HTTPS address of `/api/pay/notify/wechatpay` that
    /// WeChat Pay sends notifications to. Without it no vendor can prepay through WeChat Pay.
    pub wechatpay_notify_url: Option<String>,
    /// Where uploaded pictures are kept (`FILES_DIR`, or `FILES_S3_*`).
    pub files: FileStore,
    /// The largest picture taken, in bytes (`FILES_MAX_BYTES`, 5 MiB).
    pub files_max_bytes: usize,
}

/// Where uploaded pictures are kept.
#[derive(Clone, Debug)]
pub enum FileStore {
    /// A folder of this server (`FILES_DIR`, default `data/files`): one app server.
    Local { dir: PathBuf },
    /// An S3-compatible bucket (`FILES_S3_BUCKET` and the rest): what several app servers share.
    S3(S3Store),
}

/// An S3-compatible bucket (AWS S3, MinIO, Aliyun OSS, Tencent COS, …). `Debug` leaves the
/// secret out.
#[derive(Clone, Debug)]
pub struct S3Store {
    /// `FILES_S3_ENDPOINT` (`https://minio.internal:9000`); none: AWS S3 of the region.
    pub endpoint: Option<String>,
    /// `FILES_S3_BUCKET`.
    pub bucket: String,
    /// `FILES_S3_REGION`, default `us-east-1`.
    pub region: String,
    /// `FILES_S3_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `FILES_S3_SECRET_ACCESS_KEY`: never in a log line or `Debug` output.
    pub secret_access_key: Secret,
    /// `FILES_S3_VIRTUAL_HOSTED`: address the bucket as `bucket.endpoint` (what Aliyun OSS
    /// needs) rather than `endpoint/bucket` (the default, what MinIO expects).
    pub virtual_hosted: bool,
}

pub const DEFAULT_FILES_DIR: &str = "data/files";

/// The devices' broker.
#[derive(Clone, Debug)]
pub enum Mqtt {
    /// No device connectivity (`MQTT_LISTEN=off` and no `MQTT_URL`).
    Off,
    /// The embedded broker on `listen`. `chosen`: the address was set explicitly (when it was
    /// not and the default port is taken, the broker takes a free port instead of failing).
    Embedded { listen: std::net::SocketAddr, chosen: bool },
    /// An external broker or cluster (`MQTT_URL=mqtt://user:password@host:port`): the app
    /// servers connect as clients and share the devices' messages.
    External(MqttUrl),
}

/// `MQTT_URL`, parsed. `Debug` leaves the password out.
#[derive(Clone)]
pub struct MqttUrl {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Secret,
    /// `?group=`: the shared-subscription group the app servers split the messages in.
    pub group: String,
}

impl std::fmt::Debug for MqttUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "mqtt://{}@{}:{} (group {})", self.username, self.host, self.port, self.group)
    }
}

pub const DEFAULT_MQTT_LISTEN: &str = "127.0.0.1:1883";

impl MqttUrl {
    /// `mqtt://[user[:password]@]host[:port][?group=name]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("MQTT_URL: {why} (expected mqtt://user:password@host:1883)");
        let rest = url.trim().strip_prefix("mqtt://").ok_or_else(|| bad("only mqtt:// is supported"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (username, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((n, p)) => (n.to_owned(), p.to_owned()),
                None => (u.to_owned(), String::new()),
            },
            None => (String::new(), String::new()),
        };
        let hostport = hostport.trim_end_matches('/');
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| bad("the port is not a number"))?),
            None => (hostport.to_owned(), 1883),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let mut group = "backoffice".to_owned();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("group", g)) if !g.is_empty() && !g.contains(['/', '+', '#']) => group = g.to_owned(),
                _ => return Err(bad(&format!("unknown parameter {pair:?}"))),
            }
        }
        Ok(MqttUrl { host, port, username, password: Secret::new(password), group })
    }
}

/// The SMS sender (`SMS_PROVIDER`).
#[derive(Clone, Debug)]
pub enum Sms {
    /// Development: each message goes to the server's log, and, with `SMS_OUTBOX_FILE`, one JSON
    /// line per message to that file (what the browser tests read their codes from).
    Log { outbox: Option<PathBuf> },
    /// Aliyun SMS (`SMS_PROVIDER=aliyun`).
    Aliyun(AliyunSms),
}

/// Aliyun SMS: the account's access key, and the approved sign name and template that codes go
/// out with (the template's one variable is `${code}`).
#[derive(Clone, Debug)]
pub struct AliyunSms {
    /// `ALIYUN_SMS_ENDPOINT`, default [`ALIYUN_SMS_ENDPOINT`].
    pub endpoint: String,
    /// `ALIYUN_SMS_REGION`, default `cn-hangzhou`.
    pub region: String,
    /// `ALIYUN_SMS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `ALIYUN_SMS_ACCESS_KEY_SECRET`: never in a log line or `Debug` output.
    pub access_key_secret: Secret,
    /// `ALIYUN_SMS_SIGN_NAME` (签名, shown as 【…】 in the message).
    pub sign_name: String,
    /// `ALIYUN_SMS_TEMPLATE_CODE` (模板, e.g. `SMS_123456789`).
    pub template_code: String,
}

pub const ALIYUN_SMS_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";

pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/backoffice.db";

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.into(),
            token_ttl: Duration::from_secs(7200),
            lock_after_failures: 5,
            lock_duration: Duration::from_secs(15 * 60),
            throttle_after_failures: 30,
            throttle_window: Duration::from_secs(10 * 60),
            session_idle: Duration::from_secs(8 * 3600),
            cookie_secure: false,
            trusted_proxy_hops: 0,
            body_limit: 2 * 1024 * 1024,
            watchdog: Some(Duration::from_secs(60)),
            shutdown_drain: Duration::ZERO,
            shutdown_grace: Duration::from_secs(20),
            retention: Duration::from_secs(90 * 24 * 3600),
            cors_allowed_origins: Vec::new(),
            metrics_token: None,
            metrics_listen: None,
            log_json: false,
            secrets_key: None,
            secrets_key_file: PathBuf::from("data/secrets.key"),
            sms: Sms::Log { outbox: None },
            mqtt: Mqtt::Embedded { listen: DEFAULT_MQTT_LISTEN.parse().expect("a socket address"), chosen: false },
            mqtt_topic_root: "d".into(),
            mqtt_retention: Duration::from_secs(7 * 24 * 3600),
            order_pay_window: Duration::from_secs(30 * 60),
            order_receive_after: Duration::from_secs(10 * 24 * 3600),
            order_return_window: Duration::from_secs(7 * 24 * 3600),
            lease_grace: Duration::from_secs(7 * 24 * 3600),
            commission_min_withdraw: 100,
            wechatpay_base_url: crate::server::providers::wechatpay::BASE_URL.into(),
            wechatpay_notify_url: None,
            files: FileStore::Local { dir: PathBuf::from(DEFAULT_FILES_DIR) },
            files_max_bytes: 5 * 1024 * 1024,
        }
    }
}

impl Config {
    /// Reads the environment; a malformed value is an error naming the variable.
    pub fn from_env() -> Result<Self, String> {
        let _ = dotenvy::dotenv();
        let d = Self::default();
        Ok(Self {
            database_url: std::env::var("DATABASE_URL").ok().filter(|v| !v.trim().is_empty()).unwrap_or(d.database_url),
            token_ttl: secs("TOKEN_EXPIRE_IN", d.token_ttl)?,
            lock_after_failures: number("LOGIN_LOCK_FAILURES", d.lock_after_failures)?,
            lock_duration: secs("LOGIN_LOCK_SECONDS", d.lock_duration)?,
            throttle_after_failures: number("LOGIN_THROTTLE_FAILURES", d.throttle_after_failures)?,
            throttle_window: secs("LOGIN_THROTTLE_WINDOW_SECONDS", d.throttle_window)?,
            session_idle: secs("SESSION_IDLE_SECONDS", d.session_idle)?,
            cookie_secure: flag("COOKIE_SECURE", d.cookie_secure)?,
            trusted_proxy_hops: proxy_hops()?,
            body_limit: number("BODY_LIMIT_BYTES", d.body_limit)?,
            shutdown_drain: Duration::from_secs(number("SHUTDOWN_DRAIN_SECONDS", d.shutdown_drain.as_secs())?),
            shutdown_grace: Duration::from_secs(number("SHUTDOWN_GRACE_SECONDS", d.shutdown_grace.as_secs())?),
            // 0 turns the watchdog off.
            watchdog: match number("WATCHDOG_SECONDS", d.watchdog.map_or(0, |w| w.as_secs()))? {
                0 => None,
                n => Some(Duration::from_secs(n)),
            },
            retention: Duration::from_secs(
                24 * 3600 * number("RETENTION_DAYS", d.retention.as_secs() / (24 * 3600))?.max(1),
            ),
            cors_allowed_origins: origins("CORS_ALLOWED_ORIGINS")?,
            metrics_token: text("METRICS_TOKEN").filter(|t| !t.trim().is_empty()),
            metrics_listen: match text("METRICS_LISTEN") {
                Some(addr) => Some(addr.parse().map_err(|_| format!("METRICS_LISTEN: {addr:?} is not host:port"))?),
                None => None,
            },
            log_json: match text("LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => return Err(format!("LOG_FORMAT: {other:?} is neither text nor json")),
            },
            secrets_key: match std::env::var("SECRETS_KEY") {
                Ok(v) if !v.trim().is_empty() => {
                    Some(SealKey::from_hex(&v).ok_or("SECRETS_KEY: expected 64 hex digits (32 bytes)")?)
                }
                _ => None,
            },
            secrets_key_file: std::env::var("SECRETS_KEY_FILE")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from)
                .unwrap_or(d.secrets_key_file),
            sms: sms()?,
            mqtt: mqtt()?,
            mqtt_topic_root: match text("MQTT_TOPIC_ROOT") {
                Some(root) if root.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') => root,
                Some(root) => {
                    return Err(format!("MQTT_TOPIC_ROOT: {root:?} must be one topic level of letters and digits"))
                }
                None => d.mqtt_topic_root,
            },
            mqtt_retention: Duration::from_secs(
                24 * 3600 * number("MQTT_RETENTION_DAYS", d.mqtt_retention.as_secs() / (24 * 3600))?.max(1),
            ),
            order_pay_window: Duration::from_secs(
                60 * number("ORDER_PAY_MINUTES", d.order_pay_window.as_secs() / 60)?.max(1),
            ),
            order_receive_after: Duration::from_secs(
                24 * 3600 * number("ORDER_RECEIVE_DAYS", d.order_receive_after.as_secs() / (24 * 3600))?.max(1),
            ),
            order_return_window: Duration::from_secs(
                24 * 3600 * number("ORDER_RETURN_DAYS", d.order_return_window.as_secs() / (24 * 3600))?,
            ),
            lease_grace: Duration::from_secs(
                24 * 3600 * number("LEASE_GRACE_DAYS", d.lease_grace.as_secs() / (24 * 3600))?,
            ),
            commission_min_withdraw: number("COMMISSION_MIN_WITHDRAW", d.commission_min_withdraw)?.max(1),
            wechatpay_base_url: text("WECHATPAY_BASE_URL")
                .map(|u| u.trim_end_matches('/').to_owned())
                .unwrap_or(d.wechatpay_base_url),
            wechatpay_notify_url: text("WECHATPAY_NOTIFY_URL"),
            files: file_store()?,
            files_max_bytes: number("FILES_MAX_BYTES", d.files_max_bytes)?.max(1),
        })
    }
}

impl Config {
    /// Fills in the secrets key from `secrets_key_file` (made there on first start) when
    /// `SECRETS_KEY` did not give one.
    pub fn resolve_secrets_key(&mut self) -> Result<(), String> {
        if self.secrets_key.is_none() {
            let key = SealKey::from_file(&self.secrets_key_file)
                .map_err(|e| format!("secrets key file {}: {e}", self.secrets_key_file.display()))?;
            self.secrets_key = Some(key);
        }
        Ok(())
    }
}

/// `SMS_PROVIDER`: `log` (the default) or `aliyun`, which needs its four settings.
fn sms() -> Result<Sms, String> {
    let provider = std::env::var("SMS_PROVIDER").unwrap_or_default().trim().to_ascii_lowercase();
    match provider.as_str() {
        "" | "log" => Ok(Sms::Log { outbox: text("SMS_OUTBOX_FILE").map(PathBuf::from) }),
        "aliyun" => {
            let required = |name: &str| text(name).ok_or_else(|| format!("{name}: required with SMS_PROVIDER=aliyun"));
            Ok(Sms::Aliyun(AliyunSms {
                endpoint: text("ALIYUN_SMS_ENDPOINT").unwrap_or_else(|| ALIYUN_SMS_ENDPOINT.into()),
                region: text("ALIYUN_SMS_REGION").unwrap_or_else(|| "cn-hangzhou".into()),
                access_key_id: required("ALIYUN_SMS_ACCESS_KEY_ID")?,
                access_key_secret: Secret::new(required("ALIYUN_SMS_ACCESS_KEY_SECRET")?),
                sign_name: required("ALIYUN_SMS_SIGN_NAME")?,
                template_code: required("ALIYUN_SMS_TEMPLATE_CODE")?,
            }))
        }
        other => Err(format!("SMS_PROVIDER: unknown provider {other:?} (expected log or aliyun)")),
    }
}

/// `FILES_S3_BUCKET` chooses a bucket (its endpoint, region and key beside it); else the folder
/// `FILES_DIR`.
fn file_store() -> Result<FileStore, String> {
    let Some(bucket) = text("FILES_S3_BUCKET") else {
        return Ok(FileStore::Local { dir: text("FILES_DIR").map_or_else(|| DEFAULT_FILES_DIR.into(), PathBuf::from) });
    };
    let required = |name: &str| text(name).ok_or_else(|| format!("{name}: required with FILES_S3_BUCKET"));
    let endpoint = text("FILES_S3_ENDPOINT").map(|e| e.trim_end_matches('/').to_owned());
    if let Some(e) = &endpoint {
        let ok =
            e.split_once("://").is_some_and(|(scheme, host)| matches!(scheme, "http" | "https") && !host.is_empty());
        if !ok {
            return Err(format!("FILES_S3_ENDPOINT: {e:?} is not a URL like https://minio.internal:9000"));
        }
    }
    Ok(FileStore::S3(S3Store {
        endpoint,
        bucket,
        region: text("FILES_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id: required("FILES_S3_ACCESS_KEY_ID")?,
        secret_access_key: Secret::new(required("FILES_S3_SECRET_ACCESS_KEY")?),
        virtual_hosted: flag("FILES_S3_VIRTUAL_HOSTED", false)?,
    }))
}

/// `MQTT_URL` (an external broker) wins over `MQTT_LISTEN` (the embedded one, `off` for none).
fn mqtt() -> Result<Mqtt, String> {
    if let Some(url) = text("MQTT_URL") {
        return MqttUrl::parse(&url).map(Mqtt::External);
    }
    match text("MQTT_LISTEN") {
        Some(v) if v.eq_ignore_ascii_case("off") => Ok(Mqtt::Off),
        Some(v) => v
            .parse()
            .map(|listen| Mqtt::Embedded { listen, chosen: true })
            .map_err(|_| format!("MQTT_LISTEN: expected host:port (like 127.0.0.1:1883) or off, got {v:?}")),
        None => Ok(Config::default().mqtt),
    }
}

/// A setting's trimmed value; unset and blank are both `None`.
fn text(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `TRUSTED_PROXY_HOPS`; the older `TRUST_FORWARDED_FOR=true` means one proxy.
fn proxy_hops() -> Result<usize, String> {
    if std::env::var("TRUSTED_PROXY_HOPS").is_ok_and(|v| !v.trim().is_empty()) {
        return number("TRUSTED_PROXY_HOPS", 0);
    }
    Ok(usize::from(flag("TRUST_FORWARDED_FOR", false)?))
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("token_ttl", &self.token_ttl)
            .field("lock_after_failures", &self.lock_after_failures)
            .field("lock_duration", &self.lock_duration)
            .field("throttle_after_failures", &self.throttle_after_failures)
            .field("throttle_window", &self.throttle_window)
            .field("session_idle", &self.session_idle)
            .field("cookie_secure", &self.cookie_secure)
            .field("trusted_proxy_hops", &self.trusted_proxy_hops)
            .field("body_limit", &self.body_limit)
            .field("watchdog", &self.watchdog)
            .field("shutdown_drain", &self.shutdown_drain)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("retention", &self.retention)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("metrics_listen", &self.metrics_listen)
            .field("log_json", &self.log_json)
            .field("secrets_key", &self.secrets_key.as_ref().map(|_| "set"))
            .field("secrets_key_file", &self.secrets_key_file)
            .field("sms", &self.sms)
            .field("mqtt", &self.mqtt)
            .field("mqtt_topic_root", &self.mqtt_topic_root)
            .field("mqtt_retention", &self.mqtt_retention)
            .field("order_pay_window", &self.order_pay_window)
            .field("order_receive_after", &self.order_receive_after)
            .field("order_return_window", &self.order_return_window)
            .field("lease_grace", &self.lease_grace)
            .field("commission_min_withdraw", &self.commission_min_withdraw)
            .field("wechatpay_base_url", &self.wechatpay_base_url)
            .field("wechatpay_notify_url", &self.wechatpay_notify_url)
            .field("files", &self.files)
            .field("files_max_bytes", &self.files_max_bytes)
            .finish()
    }
}

/// A connection URL with its password (`scheme://user:password@host`) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| format!("{name}: expected a number, got {v:?}")),
        _ => Ok(default),
    }
}

fn secs(name: &str, default: Duration) -> Result<Duration, String> {
    let n: u64 = number(name, default.as_secs())?;
    if n == 0 {
        return Err(format!("{name}: must be at least 1 second"));
    }
    Ok(Duration::from_secs(n))
}

/// A comma-separated list of web origins (`scheme://host[:port]`, no path).
fn origins(name: &str) -> Result<Vec<String>, String> {
    let raw = std::env::var(name).unwrap_or_default();
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let o = o.trim_end_matches('/');
            let ok = o.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains('/')
            });
            if ok {
                Ok(o.to_owned())
            } else {
                Err(format!("{name}: {o:?} is not an origin like https://console.example.com"))
            }
        })
        .collect()
}

fn flag(name: &str, default: bool) -> Result<bool, String> {
    match std::env::var(name).map(|v| v.trim().to_ascii_lowercase()) {
        Ok(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Ok(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Ok(v) if v.is_empty() => Ok(default),
        Ok(v) => Err(format!("{name}: expected true or false, got {v:?}")),
        Err(_) => Ok(default),
    }
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_database_password() {
        let config =
            Config { database_url: "postgres://app:s3cret-pw@db.internal:5432/bo".into(), ..Config::default() };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("postgres://app:***@db.internal:5432/bo"), "{shown}");
        assert_eq!(redact_url("sqlite:data/backoffice.db"), "sqlite:data/backoffice.db");
        assert_eq!(redact_url("postgres://app@db/bo"), "postgres://app@db/bo");
    }

    #[test]
    fn debug_never_shows_the_bucket_secret() {
        let config = Config {
            files: FileStore::S3(S3Store {
                endpoint: Some("http://127.0.0.1:9000".into()),
                bucket: "pictures".into(),
                region: "us-east-1".into(),
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: Secret::new("bucket-s3cret-key"),
                virtual_hosted: false,
            }),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("bucket-s3cret-key"), "{shown}");
        assert!(shown.contains("pictures") && shown.contains("AKIDEXAMPLE"), "{shown}");
    }
}
