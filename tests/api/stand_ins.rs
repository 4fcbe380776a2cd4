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
