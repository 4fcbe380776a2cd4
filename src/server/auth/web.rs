//! Browser logins: a tower-sessions session holds the id of a login row, and every request
//! resolves it through the same principal loader as an access token. Revoking the login (account
//! disabled, password changed, logout) therefore ends the browser session on its next request.

use tower_sessions::Session;

use crate::server::{
    auth::{
        principal::{self, Principal},
        token,
    },
    error::{codes, ApiError, Error, Result},
    state::Ctx,
};

const LOGIN_KEY: &str = "login";

fn session_error(e: tower_sessions::session::Error) -> Error {
    Error::internal(format!("session: {e}"))
}

fn not_logged_in() -> Error {
    ApiError::new(codes::TOKEN_MISSING, "not logged in").into()
}

/// Binds a fresh login to the session, under a new session id (no fixation).
pub async fn sign_in(session: &Session, login_id: &str) -> Result<()> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(LOGIN_KEY, login_id).await.map_err(session_error)?;
    Ok(())
}

/// The principal of the session, or "not logged in". A session whose login was revoked is
/// emptied on the spot.
pub async fn principal(ctx: &Ctx, session: &Session) -> Result<Principal> {
    let login_id: Option<String> = session.get(LOGIN_KEY).await.map_err(session_error)?;
    let login_id = login_id.ok_or_else(not_logged_in)?;
    let resolved = match token::live_login(&ctx.db, &login_id).await? {
        Some(login) => principal::load(ctx, login).await,
        None => Err(not_logged_in()),
    };
    if let Err(Error::Api(_)) = &resolved {
        session.flush().await.map_err(session_error)?;
    }
    resolved
}

/// Logs out: the login is revoked and the session deleted.
pub async fn sign_out(ctx: &Ctx, session: &Session) -> Result<()> {
    let login_id: Option<String> = session.get(LOGIN_KEY).await.map_err(session_error)?;
    if let Some(login_id) = login_id {
        token::revoke_login(&ctx.db, &login_id).await?;
    }
    session.flush().await.map_err(session_error)?;
    Ok(())
}
