//! The client address failed logins are counted against.

use std::net::SocketAddr;

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::server::{error::Error, request};

/// The caller's IP address. Behind `TRUSTED_PROXY_HOPS` proxies of ours it is the
/// `X-Forwarded-For` entry that many from the right: each proxy appends the address it saw, so
/// entries to the left of that one were written by the client and can say anything. Without
/// proxies (or with too short a header) it is the socket peer.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// Read from the request's [`request::Meta`]: the outermost layer worked the address out once.
impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(_: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(request::client()))
    }
}

/// The client address of a request: see [`ClientAddr`].
pub fn client_address(headers: &axum::http::HeaderMap, peer: Option<SocketAddr>, hops: usize) -> String {
    forwarded_client(headers, hops).or_else(|| peer.map(|p| p.ip().to_string())).unwrap_or_else(|| "unknown".into())
}

/// The client address our `hops` proxies recorded, from every `X-Forwarded-For` header in order.
fn forwarded_client(headers: &axum::http::HeaderMap, hops: usize) -> Option<String> {
    if hops == 0 {
        return None;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let entry = entries.len().checked_sub(hops).and_then(|i| entries.get(i))?;
    entry.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::forwarded_client;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn the_client_cannot_choose_its_address() {
        // The client wrote "6.6.6.6"; our one proxy appended the address it saw.
        let h = headers(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(forwarded_client(&h, 1).as_deref(), Some("203.0.113.9"));
        assert_eq!(forwarded_client(&h, 2).as_deref(), Some("6.6.6.6"));
        assert_eq!(forwarded_client(&h, 0), None);
        // Two proxies, two headers: still counted from the right.
        let h = headers(&["6.6.6.6", "203.0.113.9, 10.0.0.2"]);
        assert_eq!(forwarded_client(&h, 2).as_deref(), Some("203.0.113.9"));
        // Shorter than the configured hops, or not an address: the socket peer is used.
        assert_eq!(forwarded_client(&headers(&["203.0.113.9"]), 2), None);
        assert_eq!(forwarded_client(&headers(&["junk"]), 1), None);
    }
}
