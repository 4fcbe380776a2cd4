//! The pictures' doors on the site: `POST /files` uploads one for the portal (the browser
//! session, like a server function), `GET /files/{key}` serves any stored one to anyone. `/api`
//! has its own upload door (`POST /api/mall/images`, a token); all of them go through
//! [`service::files`], and [`receive`] is the one way an upload's body is read.

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::server::{
    auth::{principal::Principal, web},
    error::{codes, ApiError, Result},
    service::files::{self, CACHE_CONTROL},
    state::Ctx,
};

/// How far past the limit a refused body is still read (and dropped): a client still sending
/// then hears the refusal, not a connection cut under it. A body longer still is cut off.
const READ_PAST_LIMIT: usize = 1 << 20;

/// Checks that `principal` may upload, then reads the body (refusing it past `FILES_MAX_BYTES`;
/// a body far past it is not read on) and stores it as the picture `Content-Type` names.
/// Answers its URL.
pub async fn receive(ctx: &Ctx, principal: &Principal, headers: &HeaderMap, body: Body) -> Result<String> {
    files::may_upload(ctx, principal).await?;
    let max = ctx.config.files_max_bytes;
    let read_up_to = max.saturating_add(READ_PAST_LIMIT);
    let declared_length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > read_up_to as u64) {
        return Err(files::too_large(max).into());
    }
    // A body with or without a length (chunked) is read to its end when that is near the limit.
    let bytes = axum::body::to_bytes(body, read_up_to).await.map_err(|_| files::too_large(max))?;
    if bytes.len() > max {
        return Err(files::too_large(max).into());
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    files::upload_image(ctx, principal, content_type, bytes).await
}

/// `POST /files`: the portal's upload, signed in by the session cookie; the raw picture as the
/// body with its `Content-Type`. Answers 201 `{"url": "/files/<key>"}`, or the error body.
pub async fn upload(State(ctx): State<Ctx>, session: Session, headers: HeaderMap, body: Body) -> Response {
    let stored = async {
        let principal = web::principal(&ctx, &session).await?;
        receive(&ctx, &principal, &headers, body).await
    };
    match stored.await {
        Ok(url) => (StatusCode::CREATED, axum::Json(serde_json::json!({ "url": url }))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /files/{key}`: the stored picture, with its type, and cacheable for a year (a key's
/// content never changes). The ETag is the key, so a revalidation answers 304.
pub async fn serve(
    State(ctx): State<Ctx>,
    axum::extract::Path(key): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let etag = format!("\"{key}\"");
    let image = match files::read(&ctx, &key).await {
        Ok(Some(image)) => image,
        Ok(None) => return ApiError::new(codes::FILE_NOT_FOUND, "no such file").into_response(),
        Err(e) => return e.into_response(),
    };
    let fixed = [
        (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""))),
    ];
    let revalidating = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if revalidating {
        return (StatusCode::NOT_MODIFIED, fixed).into_response();
    }
    let mut response = (fixed, image.bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(image.content_type));
    response
}
