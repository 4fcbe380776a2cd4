//! Local stand-ins for the outside providers the server reaches, each speaking the provider's
//! published protocol and checking what the server sends as strictly as the provider would.

use std::{
    collections::{BTreeMap, HashSet},
    sync::{Arc, Mutex},
};

use axum::{extract::State, http::StatusCode, routing::post, Form, Json, Router};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::Sha1;

/// A message the Aliyun SMS stand-in accepted.
#[derive(Debug, Clone)]
pub struct Sms {
    pub mobile: String,
    pub sign_name: String,
    pub template_code: String,
    pub code: String,
}

/// Aliyun SMS's `SendSms` (dysmsapi 2017-05-25, POST form) for one access key: it verifies the
/// RPC signature, the fixed parameters, the timestamp and the nonce, and answers as Aliyun does.
#[derive(Clone)]
pub struct AliyunSms {
    pub url: String,
    state: Arc<AliyunState>,
}

struct AliyunState {
    access_key_id: String,
    secret: String,
    accepted: Mutex<Vec<Sms>>,
    /// Requests refused, by Aliyun's error code.
    refused: Mutex<Vec<String>>,
    nonces: Mutex<HashSet<String>>,
    /// While set, every well-signed request is answered with this business error.
    business_error: Mutex<Option<String>>,
}

impl AliyunSms {
    pub async fn start(access_key_id: &str, secret: &str) -> Self {
        let state = Arc::new(AliyunState {
            access_key_id: access_key_id.into(),
            secret: secret.into(),
            accepted: Mutex::default(),
            refused: Mutex::default(),
            nonces: Mutex::default(),
            business_error: Mutex::default(),
        });
        let router = Router::new().route("/", post(send_sms)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, state }
    }

    pub fn accepted(&self) -> Vec<Sms> {
        self.state.accepted.lock().unwrap().clone()
    }

    pub fn refused(&self) -> Vec<String> {
        self.state.refused.lock().unwrap().clone()
    }

    /// Answers well-signed requests with Aliyun's business error `code` (None: sends again).
    pub fn fail_with(&self, code: Option<&str>) {
        *self.state.business_error.lock().unwrap() = code.map(str::to_owned);
    }
}

async fn send_sms(
    State(state): State<Arc<AliyunState>>,
    Form(params): Form<BTreeMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    match check(&state, &params) {
        Ok(sms) => {
            if let Some(code) = state.business_error.lock().unwrap().clone() {
                return answer(StatusCode::OK, &code, "触发小时级流控Permits:5");
            }
            state.accepted.lock().unwrap().push(sms);
            answer(StatusCode::OK, "OK", "OK")
        }
        Err((status, code, message)) => {
            state.refused.lock().unwrap().push(code.to_owned());
            answer(status, code, message)
        }
    }
}

fn answer(status: StatusCode, code: &str, message: &str) -> (StatusCode, Json<Value>) {
    let mut body = json!({ "Code": code, "Message": message, "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990" });
    if code == "OK" {
        body["BizId"] = json!("900619746936498440^0");
    }
    (status, Json(body))
}

type Refusal = (StatusCode, &'static str, &'static str);

fn check(state: &AliyunState, params: &BTreeMap<String, String>) -> Result<Sms, Refusal> {
    let bad = |code| (StatusCode::BAD_REQUEST, code, "the request does not follow the protocol");
    let get = |name: &str| params.get(name).filter(|v| !v.is_empty()).ok_or(bad("MissingParameter"));
    for (name, value) in [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if get(name)? != value {
            return Err(bad("InvalidParameter"));
        }
    }
    get("RegionId")?;
    if get("AccessKeyId")? != &state.access_key_id {
        return Err((StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound", "Specified access key is not found."));
    }
    let signed = time::OffsetDateTime::parse(get("Timestamp")?, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad("InvalidTimeStamp.Format"))?;
    if (time::OffsetDateTime::now_utc() - signed).whole_minutes().abs() > 15 {
        return Err(bad("InvalidTimeStamp.Expired"));
    }
    let expected = {
        let unsigned: BTreeMap<_, _> = params.iter().filter(|(k, _)| *k != "Signature").collect();
        let query: Vec<String> = unsigned.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        let to_sign = format!("POST&%2F&{}", encode(&query.join("&")));
        let mut mac = Hmac::<Sha1>::new_from_slice(format!("{}&", state.secret).as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    if get("Signature")? != &expected {
        return Err(bad("SignatureDoesNotMatch"));
    }
    // A nonce counts once it came with a good signature.
    if !state.nonces.lock().unwrap().insert(get("SignatureNonce")?.clone()) {
        return Err(bad("SignatureNonceUsed"));
    }
    let mobile = get("PhoneNumbers")?;
    if mobile.len() != 11 || !mobile.bytes().all(|b| b.is_ascii_digit()) {
        return Err((StatusCode::OK, "isv.MOBILE_NUMBER_ILLEGAL", "invalid mobile"));
    }
    let template: Value = serde_json::from_str(get("TemplateParam")?).map_err(|_| bad("InvalidParameter"))?;
    let code = template["code"].as_str().ok_or(bad("InvalidParameter"))?;
    Ok(Sms {
        mobile: mobile.clone(),
        sign_name: get("SignName")?.clone(),
        template_code: get("TemplateCode")?.clone(),
        code: code.to_owned(),
    })
}

/// RFC 3986 percent-encoding, as Aliyun's signature documentation gives it.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the WeChat Pay stand-in was asked to prepay (one per `out_trade_no`).
#[derive(Debug, Clone)]
pub struct WxTransaction {
    /// `JSAPI` or `NATIVE`.
    pub trade_type: String,
    pub out_trade_no: String,
    pub description: String,
    pub total: i64,
    pub notify_url: String,
    pub openid: Option<String>,
    /// Set once a payment notification was made for it.
    pub transaction_id: Option<String>,
}

/// A refund the WeChat Pay stand-in accepted.
#[derive(Debug, Clone)]
pub struct WxRefund {
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund: i64,
    pub total: i64,
    pub reason: String,
    /// How often it was asked for (the same `out_refund_no` is the same refund).
    pub asked: usize,
}

/// A notification as WeChat Pay sends it: its `Wechatpay-*` headers and its body.
#[derive(Debug, Clone)]
pub struct WxNotice {
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// WeChat Pay API v3 for one merchant, in public-key mode: it verifies each request's
/// `Authorization` (the merchant's RSA-SHA256 signature, its certificate serial, a fresh
/// timestamp and nonce) and the fields WeChat Pay requires, answers signed with its own key, and
/// makes notifications signed with that key and encrypted with the merchant's APIv3 key. Its RSA
/// keys (the merchant's and its own, 2048 bits) are made once per test process.
#[derive(Clone)]
pub struct WechatPay {
    pub url: String,
    state: Arc<WxState>,
}

struct WxState {
    mchid: String,
    appid: String,
    merchant_serial: String,
    apiv3_key: String,
    key_id: String,
    transactions: Mutex<BTreeMap<String, WxTransaction>>,
    refunds: Mutex<Vec<WxRefund>>,
    /// Requests refused, by WeChat Pay's error code.
    refused: Mutex<Vec<String>>,
    nonces: Mutex<HashSet<String>>,
    /// While set, every request is answered 500 SYSTEM_ERROR.
    down: Mutex<bool>,
    /// The status a new refund is answered with (`SUCCESS` unless changed).
    refund_status: Mutex<String>,
}

/// The merchant's key and WeChat Pay's, made once for the whole test process (2048-bit RSA key
/// generation is slow, even optimised).
fn wx_keys() -> &'static (rsa::RsaPrivateKey, rsa::RsaPrivateKey) {
    static KEYS: std::sync::OnceLock<(rsa::RsaPrivateKey, rsa::RsaPrivateKey)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        let merchant = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("a merchant key");
        let platform = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("WeChat Pay's key");
        (merchant, platform)
    })
}

fn wx_sign(key: &rsa::RsaPrivateKey, message: &[u8]) -> String {
    use rsa::signature::{RandomizedSigner, SignatureEncoding};
    let signing = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
    base64::engine::general_purpose::STANDARD
        .encode(signing.sign_with_rng(&mut rsa::rand_core::OsRng, message).to_bytes())
}

fn wx_verify(key: &rsa::RsaPrivateKey, message: &[u8], signature: &str) -> bool {
    use rsa::signature::Verifier;
    let verifying = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.to_public_key());
    base64::engine::general_purpose::STANDARD
        .decode(signature)
        .ok()
        .and_then(|bytes| rsa::pkcs1v15::Signature::try_from(bytes.as_slice()).ok())
        .is_some_and(|s| verifying.verify(message, &s).is_ok())
}

fn wx_now() -> i64 {
    backoffice::server::clock::now_ms() / 1000
}

impl WechatPay {
    pub async fn start(mchid: &str, appid: &str) -> Self {
        wx_keys();
        use backoffice::server::secret::random_hex;
        let state = Arc::new(WxState {
            mchid: mchid.into(),
            appid: appid.into(),
            merchant_serial: random_hex(20).to_uppercase(),
            apiv3_key: random_hex(16),
            key_id: format!("PUB_KEY_ID_{}", random_hex(16).to_uppercase()),
            transactions: Mutex::default(),
            refunds: Mutex::default(),
            refused: Mutex::default(),
            nonces: Mutex::default(),
            down: Mutex::default(),
            refund_status: Mutex::new("SUCCESS".into()),
        });
        let router = Router::new()
            .route("/v3/pay/transactions/jsapi", post(wx_request))
            .route("/v3/pay/transactions/native", post(wx_request))
            .route("/v3/refund/domestic/refunds", post(wx_request))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, state }
    }

    /// AX-07's body that configures this merchant (what the merchant platform shows).
    pub fn merchant_settings(&self) -> Value {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let (merchant, platform) = wx_keys();
        json!({
            "mch_gid": self.state.mchid,
            "mch_appid": self.state.appid,
            "mch_secret": self.state.apiv3_key,
            "mch_serial": self.state.merchant_serial,
            "mch_key": merchant.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            "wxpay_key_id": self.state.key_id,
            "wxpay_key": platform.to_public_key().to_public_key_pem(LineEnding::LF).unwrap(),
        })
    }

    pub fn apiv3_key(&self) -> String {
        self.state.apiv3_key.clone()
    }

    pub fn transaction(&self, out_trade_no: &str) -> Option<WxTransaction> {
        self.state.transactions.lock().unwrap().get(out_trade_no).cloned()
    }

    pub fn refunds(&self) -> Vec<WxRefund> {
        self.state.refunds.lock().unwrap().clone()
    }

    pub fn refused(&self) -> Vec<String> {
        self.state.refused.lock().unwrap().clone()
    }

    /// While `down`, every request is answered 500 SYSTEM_ERROR.
    pub fn set_down(&self, down: bool) {
        *self.state.down.lock().unwrap() = down;
    }

    /// The status new refunds are answered with (`SUCCESS`, `PROCESSING`, …).
    pub fn answer_refunds_with(&self, status: &str) {
        *self.state.refund_status.lock().unwrap() = status.into();
    }

    /// Whether `params` (AD-07's `jsapi`) are what `wx.requestPayment` accepts: this app's, a
    /// prepay id it gave, and signed with the merchant's key.
    pub fn accepts_jsapi(&self, params: &Value) -> bool {
        let get = |k: &str| params[k].as_str().unwrap_or_default().to_owned();
        let message = format!("{}\n{}\n{}\n{}\n", get("appId"), get("timeStamp"), get("nonceStr"), get("package"));
        get("appId") == self.state.appid
            && get("signType") == "RSA"
            && get("package").starts_with("prepay_id=wx")
            && wx_verify(&wx_keys().0, message.as_bytes(), &get("paySign"))
    }

    /// The `TRANSACTION.SUCCESS` notification of a prepaid payment that the payer paid `total`
    /// for (the stand-in records it as paid with a new transaction id).
    pub fn paid(&self, out_trade_no: &str, total: i64) -> (WxNotice, String) {
        let transaction_id = format!("4200{}", backoffice::server::secret::random_hex(12));
        if let Some(t) = self.state.transactions.lock().unwrap().get_mut(out_trade_no) {
            t.transaction_id = Some(transaction_id.clone());
        }
        let resource = json!({
            "mchid": self.state.mchid, "appid": self.state.appid, "out_trade_no": out_trade_no,
            "transaction_id": transaction_id, "trade_type": "NATIVE", "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功", "bank_type": "CMC", "attach": "", "success_time": "2026-12-06T10:00:00+08:00",
            "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
            "amount": { "total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY" },
        });
        (self.notice("TRANSACTION.SUCCESS", "transaction", &resource, &self.state.apiv3_key, wx_now()), transaction_id)
    }

    /// A `REFUND.*` notification of a refund it accepted.
    pub fn refund_finished(&self, refund: &WxRefund, status: &str) -> WxNotice {
        let resource = json!({
            "mchid": self.state.mchid, "out_trade_no": refund.out_trade_no, "transaction_id": "4200000000000000000000",
            "out_refund_no": refund.out_refund_no, "refund_id": refund.refund_id, "refund_status": status,
            "success_time": "2026-12-06T10:05:00+08:00", "user_received_account": "招商银行信用卡0403",
            "amount": { "total": refund.total, "refund": refund.refund, "payer_total": refund.total,
                        "payer_refund": refund.refund },
        });
        self.notice(&format!("REFUND.{status}"), "refund", &resource, &self.state.apiv3_key, wx_now())
    }

    /// A notification with its resource encrypted under `apiv3_key` and signed at `timestamp`.
    pub fn notice(&self, event_type: &str, aad: &str, resource: &Value, apiv3_key: &str, timestamp: i64) -> WxNotice {
        use aes_gcm::{
            aead::{Aead, KeyInit, Payload},
            Aes256Gcm, Nonce,
        };
        let nonce = backoffice::server::secret::random_hex(6);
        let cipher = Aes256Gcm::new_from_slice(apiv3_key.as_bytes()).expect("a 32-byte key");
        let plain = resource.to_string();
        let sealed = cipher
            .encrypt(Nonce::from_slice(nonce.as_bytes()), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
            .unwrap();
        let body = json!({
            "id": format!("EV-{}", backoffice::server::secret::random_hex(8)),
            "create_time": "2026-12-06T10:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": aad, "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64::engine::general_purpose::STANDARD.encode(sealed),
                "associated_data": aad, "nonce": nonce,
            },
        })
        .to_string();
        self.signed(body, timestamp)
    }

    /// `body` with WeChat Pay's signature headers made at `timestamp`.
    pub fn signed(&self, body: String, timestamp: i64) -> WxNotice {
        let nonce = backoffice::server::secret::random_hex(16);
        let message = format!("{timestamp}\n{nonce}\n{body}\n");
        let headers = vec![
            ("Wechatpay-Timestamp", timestamp.to_string()),
            ("Wechatpay-Nonce", nonce),
            ("Wechatpay-Signature", wx_sign(&wx_keys().1, message.as_bytes())),
            ("Wechatpay-Serial", self.state.key_id.clone()),
            ("Content-Type", "application/json".to_owned()),
        ];
        WxNotice { headers, body }
    }
}

type WxAnswer = (StatusCode, axum::http::HeaderMap, String);

async fn wx_request(
    State(state): State<Arc<WxState>>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WxAnswer {
    if *state.down.lock().unwrap() {
        return wx_error(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEM_ERROR", "系统错误");
    }
    let answered = match wx_check(&state, uri.path(), &headers, &body) {
        Ok(request) => match uri.path() {
            "/v3/refund/domestic/refunds" => wx_refund(&state, &request),
            path => wx_prepay(&state, path, &request),
        },
        Err(refusal) => Err(refusal),
    };
    match answered {
        Ok(answer) => {
            let body = answer.to_string();
            let signed = WechatPay { url: String::new(), state: state.clone() }.signed(body.clone(), wx_now());
            let mut out = axum::http::HeaderMap::new();
            for (name, value) in signed.headers {
                out.insert(name, value.parse().unwrap());
            }
            out.insert("Request-ID", "08F78BB5AF0610D302A9A7B4A2A1A1A1A1".parse().unwrap());
            (StatusCode::OK, out, body)
        }
        Err((status, code, message)) => {
            state.refused.lock().unwrap().push(code.to_owned());
            wx_error(status, code, message)
        }
    }
}

fn wx_error(status: StatusCode, code: &str, message: &str) -> WxAnswer {
    let mut out = axum::http::HeaderMap::new();
    out.insert("Content-Type", "application/json".parse().unwrap());
    (status, out, json!({ "code": code, "message": message }).to_string())
}

/// The request's signature and headers, as WeChat Pay checks them; answers its JSON body.
fn wx_check(state: &WxState, path: &str, headers: &axum::http::HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    let sign_error = (StatusCode::UNAUTHORIZED, "SIGN_ERROR", "签名错误");
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if header("User-Agent").is_empty() || !header("Accept").contains("application/json") {
        return Err((StatusCode::BAD_REQUEST, "PARAM_ERROR", "User-Agent and Accept are required"));
    }
    if !header("Content-Type").starts_with("application/json") {
        return Err((StatusCode::BAD_REQUEST, "PARAM_ERROR", "Content-Type must be application/json"));
    }
    let authorization = header("Authorization");
    let params = authorization.strip_prefix("WECHATPAY2-SHA256-RSA2048 ").ok_or(sign_error)?;
    let params: BTreeMap<&str, &str> = params
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
        .collect();
    let get = |k: &str| params.get(k).copied().filter(|v| !v.is_empty()).ok_or(sign_error);
    if get("mchid")? != state.mchid {
        return Err((StatusCode::UNAUTHORIZED, "SIGN_ERROR", "商户号与证书不匹配"));
    }
    if get("serial_no")? != state.merchant_serial {
        return Err((StatusCode::UNAUTHORIZED, "SIGN_ERROR", "证书序列号错误"));
    }
    let timestamp: i64 = get("timestamp")?.parse().map_err(|_| sign_error)?;
    if (wx_now() - timestamp).abs() > 300 {
        return Err((StatusCode::UNAUTHORIZED, "SIGN_ERROR", "时间戳过期"));
    }
    let nonce = get("nonce_str")?;
    let body_text = std::str::from_utf8(body).map_err(|_| sign_error)?;
    let message = format!("POST\n{path}\n{timestamp}\n{nonce}\n{body_text}\n");
    if !wx_verify(&wx_keys().0, message.as_bytes(), get("signature")?) {
        return Err(sign_error);
    }
    if !state.nonces.lock().unwrap().insert(nonce.to_owned()) {
        return Err((StatusCode::UNAUTHORIZED, "SIGN_ERROR", "nonce 重复"));
    }
    if header("Wechatpay-Serial") != state.key_id {
        return Err((StatusCode::BAD_REQUEST, "PARAM_ERROR", "Wechatpay-Serial 错误"));
    }
    serde_json::from_slice(body).map_err(|_| (StatusCode::BAD_REQUEST, "PARAM_ERROR", "body is not JSON"))
}

fn wx_prepay(state: &WxState, path: &str, r: &Value) -> Result<Value, Refusal> {
    let invalid = |why| (StatusCode::BAD_REQUEST, "PARAM_ERROR", why);
    let text = |k: &str| r[k].as_str().filter(|v| !v.is_empty());
    if text("appid") != Some(state.appid.as_str()) || text("mchid") != Some(state.mchid.as_str()) {
        return Err((StatusCode::FORBIDDEN, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配"));
    }
    let description = text("description").filter(|d| d.len() <= 127).ok_or(invalid("description"))?;
    let out_trade_no = text("out_trade_no")
        .filter(|o| (6..=32).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-|*".contains(&b)))
        .ok_or(invalid("out_trade_no"))?;
    // An HTTPS URL without a query; the tests' own address is the one exception.
    let notify_url = text("notify_url")
        .filter(|u| (u.starts_with("https://") || u.starts_with("http://127.0.0.1")) && !u.contains('?'))
        .ok_or(invalid("notify_url"))?;
    let total = r["amount"]["total"].as_i64().filter(|t| *t > 0).ok_or(invalid("amount.total"))?;
    if r["amount"]["currency"].as_str().is_some_and(|c| c != "CNY") {
        return Err(invalid("amount.currency"));
    }
    let openid = r["payer"]["openid"].as_str().map(str::to_owned);
    let trade_type = if path.ends_with("/jsapi") { "JSAPI" } else { "NATIVE" };
    if trade_type == "JSAPI" && openid.as_deref().is_none_or(str::is_empty) {
        return Err(invalid("payer.openid"));
    }
    let mut transactions = state.transactions.lock().unwrap();
    if transactions.get(out_trade_no).is_some_and(|t| t.transaction_id.is_some()) {
        return Err((StatusCode::BAD_REQUEST, "ORDER_CLOSED", "该订单已支付"));
    }
    transactions.insert(
        out_trade_no.to_owned(),
        WxTransaction {
            trade_type: trade_type.into(),
            out_trade_no: out_trade_no.into(),
            description: description.into(),
            total,
            notify_url: notify_url.into(),
            openid,
            transaction_id: None,
        },
    );
    let id = backoffice::server::secret::random_hex(12);
    Ok(match trade_type {
        "JSAPI" => json!({ "prepay_id": format!("wx{id}") }),
        _ => json!({ "code_url": format!("weixin://wxpay/bizpayurl?pr={id}") }),
    })
}

fn wx_refund(state: &WxState, r: &Value) -> Result<Value, Refusal> {
    let invalid = |why| (StatusCode::BAD_REQUEST, "PARAM_ERROR", why);
    let out_trade_no = r["out_trade_no"].as_str().ok_or(invalid("out_trade_no"))?;
    let out_refund_no =
        r["out_refund_no"].as_str().filter(|o| (1..=64).contains(&o.len())).ok_or(invalid("out_refund_no"))?;
    let transaction = state.transactions.lock().unwrap().get(out_trade_no).cloned();
    let Some(WxTransaction { total, transaction_id: Some(transaction_id), .. }) = transaction else {
        return Err((StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "订单不存在"));
    };
    let (refund, asked_total) = (r["amount"]["refund"].as_i64(), r["amount"]["total"].as_i64());
    if asked_total != Some(total) || r["amount"]["currency"] != json!("CNY") {
        return Err(invalid("amount.total"));
    }
    let refund = refund.filter(|a| *a > 0 && *a <= total).ok_or(invalid("amount.refund"))?;
    let mut refunds = state.refunds.lock().unwrap();
    let refunded: i64 = refunds
        .iter()
        .filter(|x| x.out_trade_no == out_trade_no && x.out_refund_no != out_refund_no)
        .map(|x| x.refund)
        .sum();
    let entry = match refunds.iter_mut().find(|x| x.out_refund_no == out_refund_no) {
        Some(same) => {
            same.asked += 1;
            same.clone()
        }
        None if refunded + refund > total => {
            return Err((StatusCode::FORBIDDEN, "NOT_ENOUGH", "可退款金额不足"));
        }
        None => {
            let new = WxRefund {
                out_trade_no: out_trade_no.into(),
                out_refund_no: out_refund_no.into(),
                refund_id: format!("50300{}", backoffice::server::secret::random_hex(12)),
                refund,
                total,
                reason: r["reason"].as_str().unwrap_or_default().into(),
                asked: 1,
            };
            refunds.push(new.clone());
            new
        }
    };
    Ok(json!({
        "refund_id": entry.refund_id, "out_refund_no": entry.out_refund_no, "transaction_id": transaction_id,
        "out_trade_no": entry.out_trade_no, "channel": "ORIGINAL", "user_received_account": "招商银行信用卡0403",
        "create_time": "2026-12-06T10:05:00+08:00", "status": *state.refund_status.lock().unwrap(),
        "amount": { "total": entry.total, "refund": entry.refund, "payer_total": entry.total,
                    "payer_refund": entry.refund, "currency": "CNY" },
    }))
}
