//! WeChat Pay API v3 (微信支付 APIv3), the real provider of the `weixin` channel for a vendor
//! whose merchant is configured (AX-07): JSAPI and Native prepay, refunds, and the notifications
//! WeChat Pay sends back.
//!
//! The protocol, as WeChat Pay publishes it:
//! - Every request is signed with the merchant's RSA private key (RSA-SHA256, PKCS#1 v1.5) over
//!   `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` (URL: the path and query), and carries
//!   `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
//!   timestamp="…",serial_no="…"` (`serial_no`: the merchant's API certificate serial).
//! - Every answer and notification WeChat Pay sends is signed with WeChat Pay's key over
//!   `TIMESTAMP\nNONCE\nBODY\n`, in the headers `Wechatpay-Timestamp`, `Wechatpay-Nonce`,
//!   `Wechatpay-Signature` (Base64) and `Wechatpay-Serial` (which key: in public-key mode the
//!   `PUB_KEY_ID_…` the merchant platform shows). A timestamp more than five minutes off is
//!   refused (a replay).
//! - A notification's `resource` is encrypted with AEAD_AES_256_GCM under the APIv3 key (32
//!   bytes, used as they are), with its `nonce` (12 characters) and `associated_data`; the
//!   ciphertext is Base64 of the encrypted bytes followed by the 16-byte tag.
//!
//! Only public-key mode is spoken (WeChat Pay's key given as a PEM public key with its id), not
//! the older platform certificates downloaded from `/v3/certificates`.

use std::{sync::OnceLock, time::Duration};

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Nonce,
};
use axum::http::HeaderMap;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rsa::{
    pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey},
    pkcs1v15::{Signature, SigningKey, VerifyingKey},
    pkcs8::{DecodePrivateKey, DecodePublicKey},
    signature::{RandomizedSigner, SignatureEncoding, Verifier},
    RsaPrivateKey, RsaPublicKey,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::server::secret::{random_hex, Secret};

/// The channel payments through WeChat Pay API v3 are recorded under (and the last segment of
/// its notification URL, `/api/pay/notify/wechatpay`).
pub const CHANNEL: &str = "wechatpay";

/// WeChat Pay's API (`WECHATPAY_BASE_URL` overrides it, e.g. for a stand-in).
pub const BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// A signed answer or notification whose timestamp is further off than this is refused.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A vendor's merchant, ready to sign requests and verify what WeChat Pay signs. `Debug` shows
/// only the identifiers, never a key.
#[derive(Clone)]
pub struct Merchant {
    /// 商户号.
    pub mchid: String,
    /// The app (official account or mini program) payments are made in.
    pub appid: String,
    /// The serial number of the merchant's API certificate (`serial_no`).
    pub serial: String,
    /// WeChat Pay's public key id (`Wechatpay-Serial`).
    pub wxpay_key_id: String,
    apiv3_key: Secret,
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
}

impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("mchid", &self.mchid)
            .field("appid", &self.appid)
            .field("serial", &self.serial)
            .field("wxpay_key_id", &self.wxpay_key_id)
            .finish_non_exhaustive()
    }
}

/// The merchant's private key, from PEM: PKCS#8 (`BEGIN PRIVATE KEY`, WeChat's
/// `apiclient_key.pem`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
pub fn private_key(pem: &str) -> Result<RsaPrivateKey, String> {
    let pem = pem.trim();
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|_| "not an RSA private key in PEM (PKCS#8 or PKCS#1)".to_owned())
}

/// WeChat Pay's public key, from PEM: `BEGIN PUBLIC KEY` (as the merchant platform gives it) or
/// `BEGIN RSA PUBLIC KEY`.
pub fn public_key(pem: &str) -> Result<RsaPublicKey, String> {
    let pem = pem.trim();
    RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
        .map_err(|_| "not an RSA public key in PEM".to_owned())
}

/// What a request's signature covers: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
pub fn request_message(method: &str, url: &str, timestamp: i64, nonce: &str, body: &str) -> String {
    format!("{method}\n{url}\n{timestamp}\n{nonce}\n{body}\n")
}

/// What WeChat Pay's signature of an answer or notification covers: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn answer_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        message.extend_from_slice(part);
        message.push(b'\n');
    }
    message
}

/// A signed message or notification that does not hold; the text says why (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

fn refused<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(why.into()))
}

impl Merchant {
    /// The merchant from its settings; an error names what does not hold.
    pub fn new(
        mchid: &str,
        appid: &str,
        apiv3_key: Secret,
        serial: &str,
        private_key_pem: &str,
        wxpay_key_id: &str,
        wxpay_key_pem: &str,
    ) -> Result<Self, String> {
        if apiv3_key.expose().len() != 32 {
            return Err("the APIv3 key is not 32 bytes".into());
        }
        Ok(Self {
            mchid: mchid.to_owned(),
            appid: appid.to_owned(),
            serial: serial.to_owned(),
            wxpay_key_id: wxpay_key_id.to_owned(),
            apiv3_key,
            signing: SigningKey::new(private_key(private_key_pem)?),
            verifying: VerifyingKey::new(public_key(wxpay_key_pem)?),
        })
    }

    /// Base64 of the RSA-SHA256 (PKCS#1 v1.5) signature of `message` with the merchant's key
    /// (blinded, so its timing says nothing of the key).
    pub fn sign(&self, message: &[u8]) -> String {
        let signature = self.signing.sign_with_rng(&mut rsa::rand_core::OsRng, message);
        B64.encode(signature.to_bytes())
    }

    /// The `Authorization` header of a request.
    pub fn authorization(&self, method: &str, url: &str, body: &str, timestamp: i64, nonce: &str) -> String {
        let signature = self.sign(request_message(method, url, timestamp, nonce, body).as_bytes());
        format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",\
             timestamp=\"{timestamp}\",serial_no=\"{}\"",
            self.mchid, self.serial
        )
    }

    /// Checks WeChat Pay's signature of an answer or notification (its `Wechatpay-*` headers)
    /// at `now` (Unix seconds).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), Refusal> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or_default();
        let (timestamp, nonce, signature, serial) = (
            header("Wechatpay-Timestamp"),
            header("Wechatpay-Nonce"),
            header("Wechatpay-Signature"),
            header("Wechatpay-Serial"),
        );
        if timestamp.is_empty() || nonce.is_empty() || signature.is_empty() {
            return refused("unsigned");
        }
        if serial != self.wxpay_key_id {
            return refused("signed with another key");
        }
        let Ok(at) = timestamp.parse::<i64>() else { return refused("bad timestamp") };
        if (now - at).abs() > CLOCK_SKEW_SECS {
            return refused("stale timestamp");
        }
        let signature = B64
            .decode(signature)
            .ok()
            .and_then(|bytes| Signature::try_from(bytes.as_slice()).ok())
            .ok_or_else(|| Refusal("bad signature".into()))?;
        self.verifying
            .verify(&answer_message(timestamp, nonce, body), &signature)
            .map_err(|_| Refusal("bad signature".into()))
    }

    /// A notification's `resource` in clear.
    pub fn decrypt(&self, resource: &Resource) -> Result<Vec<u8>, Refusal> {
        if resource.algorithm != "AEAD_AES_256_GCM" {
            return refused("unknown algorithm");
        }
        decrypt(self.apiv3_key.expose().as_bytes(), &resource.nonce, &resource.associated_data, &resource.ciphertext)
    }

    /// A notification, verified at `now` (Unix seconds) and opened.
    pub fn open_notification(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<Event, Refusal> {
        self.verify(headers, body, now)?;
        let notice: Notice = serde_json::from_slice(body).map_err(|_| Refusal("not a notification".into()))?;
        let plain = self.decrypt(&notice.resource)?;
        let parsed = match notice.event_type.as_str() {
            "TRANSACTION.SUCCESS" => serde_json::from_slice(&plain).map(Event::Paid),
            t if t.starts_with("REFUND.") => serde_json::from_slice(&plain).map(Event::Refund),
            _ => return Ok(Event::Other(notice.event_type)),
        };
        parsed.map_err(|_| Refusal("not a notification".into()))
    }

    /// What `wx.requestPayment` (JSAPI) takes for a prepay id, signed with the merchant's key
    /// over `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub fn jsapi_params(&self, prepay_id: &str, timestamp: i64, nonce: &str) -> JsapiParams {
        let package = format!("prepay_id={prepay_id}");
        let message = format!("{}\n{timestamp}\n{nonce}\n{package}\n", self.appid);
        JsapiParams {
            app_id: self.appid.clone(),
            time_stamp: timestamp.to_string(),
            nonce_str: nonce.to_owned(),
            pay_sign: self.sign(message.as_bytes()),
            package,
            sign_type: "RSA".into(),
        }
    }
}

/// AEAD_AES_256_GCM decryption as WeChat Pay uses it: `key` the APIv3 key's 32 bytes, `nonce`
/// and `associated_data` as text, `ciphertext` Base64 of the ciphertext and its 16-byte tag.
pub fn decrypt(key: &[u8], nonce: &str, associated_data: &str, ciphertext: &str) -> Result<Vec<u8>, Refusal> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| Refusal("bad key".into()))?;
    if nonce.len() != 12 {
        return refused("bad nonce");
    }
    let sealed = B64.decode(ciphertext.trim()).map_err(|_| Refusal("bad ciphertext".into()))?;
    cipher
        .decrypt(Nonce::from_slice(nonce.as_bytes()), Payload { msg: &sealed, aad: associated_data.as_bytes() })
        .map_err(|_| Refusal("the resource does not open under the APIv3 key".into()))
}

/// A notification as WeChat Pay sends it (its `resource` still encrypted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    #[serde(default)]
    pub create_time: String,
    pub event_type: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub summary: String,
    pub resource: Resource,
}

/// The encrypted part of a notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub algorithm: String,
    pub ciphertext: String,
    #[serde(default)]
    pub associated_data: String,
    pub nonce: String,
    #[serde(default)]
    pub original_type: String,
}

/// What a verified notification says.
#[derive(Debug, Clone)]
pub enum Event {
    /// `TRANSACTION.SUCCESS`: a payment went through.
    Paid(Transaction),
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`: a refund finished.
    Refund(RefundResult),
    /// Anything else (acknowledged, nothing done).
    Other(String),
}

/// A payment, as a `TRANSACTION.SUCCESS` notification's resource gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transaction {
    pub mchid: String,
    pub appid: String,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub trade_state: String,
    pub amount: TransactionAmount,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransactionAmount {
    /// What the order cost (fen); what the payer paid may be less (coupons).
    pub total: i64,
    #[serde(default)]
    pub payer_total: Option<i64>,
    #[serde(default)]
    pub currency: String,
}

/// A refund's outcome, as a `REFUND.*` notification's resource gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundResult {
    pub mchid: String,
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund_status: String,
}

/// What `wx.requestPayment` takes (JSAPI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsapiParams {
    pub app_id: String,
    pub time_stamp: String,
    pub nonce_str: String,
    pub package: String,
    pub sign_type: String,
    pub pay_sign: String,
}

/// Why a call to WeChat Pay did not give an answer to act on.
#[derive(Debug, Clone)]
pub enum CallError {
    /// Not reached, timed out, a 5xx, or an answer that is not WeChat Pay's: try again later.
    Unavailable(String),
    /// WeChat Pay refused the request (4xx), with its `code` and `message`.
    Refused { status: u16, code: String, message: String },
}

impl CallError {
    /// Worth sending again later (the same request, which WeChat Pay treats as the same).
    pub fn retryable(&self) -> bool {
        match self {
            CallError::Unavailable(_) => true,
            CallError::Refused { status, code, .. } => {
                *status == 429 || matches!(code.as_str(), "SYSTEM_ERROR" | "FREQUENCY_LIMITED" | "NOT_ENOUGH")
            }
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Unavailable(why) => write!(f, "WeChat Pay unavailable: {why}"),
            CallError::Refused { status, code, message } => {
                write!(f, "WeChat Pay refused (HTTP {status}, {code}): {message}")
            }
        }
    }
}

/// One call: `body` signed and sent to `base_url` + `path`; a success answer must carry WeChat
/// Pay's valid signature.
async fn call(base_url: &str, merchant: &Merchant, path: &str, body: &Value) -> Result<Value, CallError> {
    let body = body.to_string();
    let timestamp = crate::server::clock::now_ms() / 1000;
    let nonce = random_hex(16).to_uppercase();
    let authorization = merchant.authorization("POST", path, &body, timestamp, &nonce);
    let sent = client()
        .post(format!("{}{path}", base_url.trim_end_matches('/')))
        .header(reqwest::header::AUTHORIZATION, authorization)
        .header(reqwest::header::ACCEPT, "application/json")
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, concat!("backoffice/", env!("CARGO_PKG_VERSION")))
        .header("Wechatpay-Serial", merchant.wxpay_key_id.clone())
        .body(body)
        .send()
        .await
        .map_err(|e| CallError::Unavailable(format!("request failed: {e}")))?;
    let status = sent.status();
    let headers = sent.headers().clone();
    let bytes = sent.bytes().await.map_err(|e| CallError::Unavailable(format!("answer cut short: {e}")))?;
    if status.is_server_error() {
        return Err(CallError::Unavailable(format!("HTTP {status}")));
    }
    if !status.is_success() {
        let reply: Value = serde_json::from_slice(&bytes).unwrap_or_default();
        return Err(CallError::Refused {
            status: status.as_u16(),
            code: reply["code"].as_str().unwrap_or("(none)").to_owned(),
            message: reply["message"].as_str().unwrap_or("(none)").to_owned(),
        });
    }
    // A success that WeChat Pay did not sign is not believed (a proxy, a forgery).
    merchant
        .verify(&headers, &bytes, crate::server::clock::now_ms() / 1000)
        .map_err(|Refusal(why)| CallError::Unavailable(format!("the answer's signature: {why}")))?;
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|_| CallError::Unavailable("the answer is not JSON".into()))
}

/// One HTTPS client for every call (it keeps its connections).
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| reqwest::Client::builder().timeout(TIMEOUT).build().expect("an HTTP client with rustls"))
}

/// A payment to ask WeChat Pay for.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    /// Ours, the payment id (6–32 characters).
    pub out_trade_no: &'a str,
    pub description: &'a str,
    /// Fen.
    pub total: i64,
    pub notify_url: &'a str,
    /// The payer in the merchant's app: JSAPI with it, Native without.
    pub openid: Option<&'a str>,
}

/// How the client pays.
#[derive(Debug, Clone)]
pub enum Prepay {
    /// In WeChat: `wx.requestPayment` with these.
    Jsapi(JsapiParams),
    /// Anywhere else: a QR code of `code_url`, scanned in WeChat.
    Native { code_url: String },
}

/// JSAPI prepay (`POST /v3/pay/transactions/jsapi`) when the payer's openid is known, else
/// Native (`POST /v3/pay/transactions/native`).
pub async fn prepay(base_url: &str, merchant: &Merchant, order: &Order<'_>) -> Result<Prepay, CallError> {
    let mut body = json!({
        "appid": merchant.appid,
        "mchid": merchant.mchid,
        "description": order.description,
        "out_trade_no": order.out_trade_no,
        "notify_url": order.notify_url,
        "amount": { "total": order.total, "currency": "CNY" },
    });
    match order.openid {
        Some(openid) => {
            body["payer"] = json!({ "openid": openid });
            let answer = call(base_url, merchant, "/v3/pay/transactions/jsapi", &body).await?;
            let prepay_id = answer["prepay_id"]
                .as_str()
                .ok_or_else(|| CallError::Unavailable("no prepay_id in the answer".into()))?;
            let timestamp = crate::server::clock::now_ms() / 1000;
            Ok(Prepay::Jsapi(merchant.jsapi_params(prepay_id, timestamp, &random_hex(16).to_uppercase())))
        }
        None => {
            let answer = call(base_url, merchant, "/v3/pay/transactions/native", &body).await?;
            let code_url = answer["code_url"]
                .as_str()
                .ok_or_else(|| CallError::Unavailable("no code_url in the answer".into()))?;
            Ok(Prepay::Native { code_url: code_url.to_owned() })
        }
    }
}

/// A refund to ask WeChat Pay for.
#[derive(Debug, Clone)]
pub struct RefundRequest<'a> {
    /// The payment it returns (our id, its `out_trade_no`).
    pub out_trade_no: &'a str,
    /// Ours, the refund's id; sent again, it names the same refund.
    pub out_refund_no: &'a str,
    pub reason: &'a str,
    /// Where WeChat Pay tells the refund's outcome (none: its answer, or a query, tells).
    pub notify_url: Option<&'a str>,
    /// Fen: this refund, and what the payment was.
    pub refund: i64,
    pub total: i64,
}

/// WeChat Pay's answer to a refund: its refund id and status (`SUCCESS`, `PROCESSING`,
/// `CLOSED`, `ABNORMAL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundAnswer {
    pub refund_id: String,
    pub status: String,
}

/// `POST /v3/refund/domestic/refunds`.
pub async fn refund(base_url: &str, merchant: &Merchant, r: &RefundRequest<'_>) -> Result<RefundAnswer, CallError> {
    let mut body = json!({
        "out_trade_no": r.out_trade_no,
        "out_refund_no": r.out_refund_no,
        "amount": { "refund": r.refund, "total": r.total, "currency": "CNY" },
    });
    if let Some(url) = r.notify_url {
        body["notify_url"] = json!(url);
    }
    if !r.reason.is_empty() {
        body["reason"] = json!(r.reason.chars().take(80).collect::<String>());
    }
    let answer = call(base_url, merchant, "/v3/refund/domestic/refunds", &body).await?;
    match (answer["refund_id"].as_str(), answer["status"].as_str()) {
        (Some(id), Some(status)) => Ok(RefundAnswer { refund_id: id.to_owned(), status: status.to_owned() }),
        _ => Err(CallError::Unavailable("no refund_id or status in the answer".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of WeChat Pay's signing guide (签名生成): a GET of `/v3/certificates`.
    #[test]
    fn the_request_message_is_the_documented_one() {
        assert_eq!(
            request_message("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", ""),
            "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
        );
        assert_eq!(
            answer_message("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", b"{}"),
            b"1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{}\n"
        );
    }

    /// AES-256-GCM, Test Case 16 of McGrew and Viega's GCM specification (a 256-bit key, a
    /// 96-bit IV, associated data), in WeChat Pay's layout: the tag after the ciphertext, Base64.
    #[test]
    fn decryption_matches_the_gcm_test_vector() {
        let unhex = |s: &str| crate::server::secret::unhex(s).unwrap();
        let key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        let iv = unhex("cafebabefacedbaddecaf888");
        let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let plain = unhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525\
             b16aedf5aa0de657ba637b39",
        );
        let sealed = [
            unhex(
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838\
                 c5f61e6393ba7a0abcc9f662",
            ),
            unhex("76fc6ece0f4e1768cddf8853bb2d551b"),
        ]
        .concat();
        // The vector's IV and data are bytes; WeChat Pay's are text, so call the cipher directly
        // for the vector, then check the text form round-trips through `decrypt`.
        let cipher = Aes256Gcm::new_from_slice(&key).unwrap();
        let opened = cipher.decrypt(Nonce::from_slice(&iv), Payload { msg: &sealed, aad: &aad }).unwrap();
        assert_eq!(opened, plain);

        let key = b"0123456789abcdef0123456789abcdef";
        let cipher = Aes256Gcm::new_from_slice(key).unwrap();
        let body = br#"{"out_trade_no":"P1","transaction_id":"4200000001"}"#;
        let sealed =
            cipher.encrypt(Nonce::from_slice(b"fdasflkja484"), Payload { msg: body, aad: b"transaction" }).unwrap();
        let text = B64.encode(&sealed);
        assert_eq!(decrypt(key, "fdasflkja484", "transaction", &text).unwrap(), body);
        assert!(decrypt(key, "fdasflkja484", "certificate", &text).is_err(), "other associated data");
        assert!(decrypt(b"0123456789abcdef0123456789abcdeX", "fdasflkja484", "transaction", &text).is_err());
    }

    #[test]
    fn merchants_do_not_debug_print_their_keys() {
        // A small key keeps the test quick; the format is what matters here.
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&key, rsa::pkcs8::LineEnding::LF).unwrap();
        let public =
            rsa::pkcs8::EncodePublicKey::to_public_key_pem(&key.to_public_key(), rsa::pkcs8::LineEnding::LF).unwrap();
        let secret = Secret::new("0123456789abcdef0123456789abcdef");
        let m = Merchant::new("1900009191", "wxd678efh567hg6787", secret, "SERIAL1", &pem, "PUB_KEY_ID_1", &public)
            .unwrap();
        let shown = format!("{m:?}");
        assert!(shown.contains("1900009191") && !shown.contains("0123456789abcdef") && !shown.contains("PRIVATE"));
        // What it signs, the matching public key verifies (WeChat Pay's side of a request).
        let auth = m.authorization("POST", "/v3/pay/transactions/native", "{}", 1554208460, "N1");
        assert!(
            auth.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"N1\",signature=\""),
            "{auth}"
        );
        assert!(auth.ends_with(",timestamp=\"1554208460\",serial_no=\"SERIAL1\""), "{auth}");
        let signature = auth.split("signature=\"").nth(1).unwrap().split('"').next().unwrap();
        let signature = Signature::try_from(B64.decode(signature).unwrap().as_slice()).unwrap();
        let verifying = VerifyingKey::<Sha256>::new(key.to_public_key());
        let message = request_message("POST", "/v3/pay/transactions/native", 1554208460, "N1", "{}");
        assert!(verifying.verify(message.as_bytes(), &signature).is_ok());
        assert!(Merchant::new("1", "a", Secret::new("short"), "S", &pem, "K", &public).is_err());
    }
}
