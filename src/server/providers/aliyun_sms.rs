//! Aliyun SMS (阿里云短信服务, `dysmsapi` version 2017-05-25), the provider seed 003 names:
//! one `SendSms` call per code, signed as Aliyun's RPC APIs are (signature version 1.0).
//!
//! The signature: every parameter but `Signature`, sorted by name, each name and value
//! percent-encoded as RFC 3986 (only `A-Z a-z 0-9 - _ . ~` stay as they are; a space is `%20`),
//! joined as `name=value` with `&`; the string to sign is `POST&%2F&` + that query string
//! percent-encoded once more; `Signature` is the Base64 of its HMAC-SHA1 under the access key
//! secret followed by `&`. [`signature`] is checked against the example in Aliyun's
//! documentation, and the API tests send real requests to a stand-in that verifies it.

use std::{collections::BTreeMap, sync::OnceLock, time::Duration};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::{
    model::url::percent_encode,
    server::{
        clock::{iso_seconds, now_ms},
        config::AliyunSms,
        error::{codes, ApiError, Error, Result},
        secret::random_hex,
    },
};

/// How long one send may take before the user is told to try again.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `code` to `mobile` with the configured sign name and template; the template's one
/// variable is `${code}`.
pub async fn send(config: &AliyunSms, mobile: &str, code: &str) -> Result<()> {
    let params = send_sms_params(config, mobile, code, &random_hex(16), &iso_seconds(now_ms()));
    let body = signed_body(&params, config.access_key_secret.expose());
    let answer = client()
        .post(&config.endpoint)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let (status, text) = match answer {
        Ok(response) => (response.status(), response.text().await.unwrap_or_default()),
        Err(err) => return Err(unavailable(&format!("request failed: {err}"))),
    };
    // Aliyun answers `{"Code":"OK",…}` on success and another `Code` with a `Message` otherwise
    // (HTTP 200 for a refusal such as `isv.BUSINESS_LIMIT_CONTROL`, 4xx for a bad request).
    let reply: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    match reply["Code"].as_str() {
        Some("OK") if status.is_success() => Ok(()),
        code => Err(unavailable(&format!(
            "HTTP {status}, Code {}, Message {}",
            code.unwrap_or("(none)"),
            reply["Message"].as_str().unwrap_or("(none)")
        ))),
    }
}

/// The parameters of one `SendSms` request, `Signature` not yet among them.
fn send_sms_params(
    config: &AliyunSms,
    mobile: &str,
    code: &str,
    nonce: &str,
    timestamp: &str,
) -> BTreeMap<String, String> {
    [
        ("AccessKeyId", config.access_key_id.as_str()),
        ("Action", "SendSms"),
        ("Format", "JSON"),
        ("PhoneNumbers", mobile),
        ("RegionId", config.region.as_str()),
        ("SignName", config.sign_name.as_str()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", config.template_code.as_str()),
        ("TemplateParam", &serde_json::json!({ "code": code }).to_string()),
        ("Timestamp", timestamp),
        ("Version", "2017-05-25"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The form body: the canonical query string and its `Signature`.
fn signed_body(params: &BTreeMap<String, String>, secret: &str) -> String {
    format!("{}&Signature={}", canonical_query(params), percent_encode(&signature("POST", params, secret)))
}

fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// The request's signature for `method` (`GET` or `POST`).
pub fn signature(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let to_sign = format!("{method}&{}&{}", percent_encode("/"), percent_encode(&canonical_query(params)));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("HMAC takes any key length");
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One HTTPS client for every send (it keeps its connections).
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| reqwest::Client::builder().timeout(TIMEOUT).build().expect("an HTTP client with rustls"))
}

/// The provider's refusal or failure, logged (never the secret) and answered as 503: the user
/// may ask for a code again at once.
fn unavailable(cause: &str) -> Error {
    tracing::warn!(provider = "aliyun", cause, "SMS not sent");
    ApiError::new(codes::SMS_UNAVAILABLE, "the code could not be sent; please try again in a moment").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Aliyun's SMS signature documentation (a GET request).
    #[test]
    fn the_signature_matches_aliyuns_example() {
        let params: BTreeMap<String, String> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert!(canonical_query(&params).starts_with(
            "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou\
             &SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&"
        ));
        assert_eq!(signature("GET", &params, "testSecret"), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }
}
