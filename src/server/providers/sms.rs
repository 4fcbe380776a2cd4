//! Text messages to phones (verification codes), through the provider `SMS_PROVIDER` names.
//!
//! `log` (the default) is for development: the message goes to the server's log and, when
//! `SMS_OUTBOX_FILE` is set, as one JSON line (`{"mobile","text","code","time"}`) to that file,
//! which is where the browser tests read their codes. `aliyun` sends through Aliyun SMS
//! ([`aliyun_sms`](super::aliyun_sms)).

use std::io::Write;

use crate::server::{
    clock::{iso, now_ms},
    config::Sms,
    error::{Error, Result},
};

/// One message: the text, and the code it carries (for the outbox's readers).
pub struct Message<'a> {
    pub mobile: &'a str,
    pub text: String,
    pub code: &'a str,
}

/// Sends `message` through the configured provider.
pub async fn send(config: &Sms, message: Message<'_>) -> Result<()> {
    match config {
        Sms::Log { outbox } => {
            tracing::info!(mobile = %message.mobile, text = %message.text, "SMS (log provider)");
            if let Some(path) = outbox {
                let line = serde_json::json!({
                    "mobile": message.mobile,
                    "text": message.text,
                    "code": message.code,
                    "time": iso(now_ms()),
                });
                let path = path.clone();
                tokio::task::spawn_blocking(move || append(&path, &line.to_string())).await??;
            }
            Ok(())
        }
        Sms::Aliyun(aliyun) => super::aliyun_sms::send(aliyun, message.mobile, message.code).await,
    }
}

fn append(path: &std::path::Path, line: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::internal(format!("SMS outbox {}: {e}", path.display())))?;
    writeln!(file, "{line}").map_err(|e| Error::internal(format!("SMS outbox {}: {e}", path.display())))
}
