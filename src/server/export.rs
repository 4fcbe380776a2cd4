//! CSV export of a device filter, for the portals' "Export CSV". A plain GET (a download link),
//! authenticated by the browser session like a server function, and answered as a stream: the
//! rows are read in key-range chunks of 1000 (`device::export_chunk`), so exporting a million
//! devices holds one chunk in memory at a time and the millionth row costs what the first did.

use axum::{
    body::{Body, Bytes},
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Map, Value};

use tower_sessions::Session;

use crate::server::{
    auth::{principal::Principal, web},
    error::{error_response, ApiError, Error, Result},
    list::ListQuery,
    service::device,
    state::{AppState, Ctx},
};

const CHUNK: u64 = 1000;

/// A device as the database decoder reads it: its fields as JSON, by name.
type Record = Map<String, Value>;

#[derive(Deserialize)]
pub struct ExportParams {
    product_id: String,
    /// The list request (JSON) whose `filter` and `query` the export follows.
    #[serde(default)]
    q: Option<String>,
}

/// `GET /export/devices.csv?product_id=…&q=<list request JSON>`.
pub async fn devices_csv(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<ExportParams>,
) -> Response {
    match prepare(&state.ctx, &session, &params).await {
        Ok((principal, query, first)) => {
            let filename = format!("devices-{}.csv", params.product_id);
            // Fused: a reader may poll again after the end (the compression layer does), and
            // `unfold` panics when polled past its end.
            let rows = futures_util::StreamExt::fuse(rows(state.ctx, principal, params.product_id, query, first));
            let body = Body::from_stream(rows);
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
                    // A corp's device list: never kept by a browser or a shared cache.
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => error_response(e.into_api()),
    }
}

/// The caller, its request, and the first chunk: fetching it checks the product and the
/// caller's right to see it before the first byte is sent, so a refusal is a proper error.
async fn prepare(ctx: &Ctx, session: &Session, params: &ExportParams) -> Result<(Principal, ListQuery, Vec<Record>)> {
    let principal = web::principal(ctx, session).await?;
    let body: Value = match params.q.as_deref() {
        None | Some("") => Value::Object(Default::default()),
        Some(text) => serde_json::from_str(text).map_err(|_| ApiError::invalid("q", "not a JSON list request"))?,
    };
    let query = device::parse_query(&body)?;
    let first = device::export_chunk(ctx, &principal, &params.product_id, &query, 0, CHUNK).await?;
    Ok((principal, query, first))
}

/// Where the stream is: the header still to send, a chunk in hand, or the id to go on after.
enum Next {
    Header(Vec<Record>),
    Chunk(Vec<Record>),
    After(i64),
    Done,
}

/// The header line, the first chunk, then one chunk of rows per step until one comes back short.
fn rows(
    ctx: Ctx,
    principal: Principal,
    product_id: String,
    query: ListQuery,
    first: Vec<Record>,
) -> impl futures_util::Stream<Item = std::result::Result<Bytes, Error>> {
    futures_util::stream::unfold(Next::Header(first), move |next| {
        let (ctx, principal, product_id, query) = (ctx.clone(), principal.clone(), product_id.clone(), query.clone());
        async move {
            let devices = match next {
                Next::Done => return None,
                Next::Header(first) => {
                    let line = csv_line(query.projection.iter().map(|f| f.name.to_owned()));
                    return Some((Ok(Bytes::from(line)), Next::Chunk(first)));
                }
                Next::Chunk(devices) => devices,
                Next::After(after) => {
                    match device::export_chunk(&ctx, &principal, &product_id, &query, after, CHUNK).await {
                        Ok(devices) => devices,
                        Err(e) => {
                            tracing::error!(error = %e, "device export failed mid-stream");
                            return Some((Err(e), Next::Done));
                        }
                    }
                }
            };
            let next = match devices.last() {
                Some(last) if devices.len() as u64 == CHUNK => {
                    Next::After(last.get("id").and_then(Value::as_i64).unwrap_or(i64::MAX))
                }
                _ => Next::Done,
            };
            let mut out = String::new();
            for d in devices {
                out.push_str(&csv_line(query.projection.iter().map(|f| cell(d.get(f.name)))));
            }
            Some((Ok(Bytes::from(out)), next))
        }
    })
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items.iter().map(|i| cell(Some(i))).collect::<Vec<_>>().join(","),
        Some(other) => other.to_string(),
    }
}

/// One CSV record (RFC 4180): cells with a comma, quote or line break are quoted, quotes doubled.
/// A cell starting with `=`, `+`, `-` or `@` gets a leading `'` so a spreadsheet shows it as text
/// instead of running it as a formula (device names are user input).
fn csv_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells
        .map(|c| {
            let c = if c.starts_with(['=', '+', '-', '@']) { format!("'{c}") } else { c };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let line = csv_line(["a".into(), "b,c".into(), "say \"hi\"".into(), "=1+1".into()].into_iter());
        assert_eq!(line, "a,\"b,c\",\"say \"\"hi\"\"\",'=1+1\r\n");
    }
}
