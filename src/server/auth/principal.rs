//! Who is calling. A [`Principal`] is built only by this module, from an access token or a
//! browser session, never from request fields; services take it and decide what it may do.

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{header, request::Parts},
};

use crate::model::{
    dealer::PartnerStatus,
    member::{MemberRole, MemberStatus},
    organization::OrgRole,
    permission::builtin_features,
};
use crate::server::{
    auth::token::{self, LoginRef, PrincipalKind},
    db::Sql,
    error::{codes, ApiError, Error, Result},
    state::Ctx,
};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    Member(MemberPrincipal),
    Dealer(DealerPrincipal),
    HeavyBuyer(HeavyBuyerPrincipal),
    OrgUser(OrgUserPrincipal),
}

/// A dealer: it sees itself and the dealers whose scope starts with its own.
#[derive(Debug, Clone)]
pub struct DealerPrincipal {
    pub login_id: String,
    pub dealer_id: i64,
    pub corp_id: String,
    pub dealer_code: String,
    /// The chain of dealer codes from the top dealer down to this one.
    pub scope: String,
}

/// A heavy buyer's own account.
#[derive(Debug, Clone)]
pub struct HeavyBuyerPrincipal {
    pub login_id: String,
    pub heavy_buyer_id: i64,
    pub corp_id: String,
}

/// A user of a heavy buyer's organization: it sees its organization and those below it.
#[derive(Debug, Clone)]
pub struct OrgUserPrincipal {
    pub login_id: String,
    pub user_id: i64,
    pub heavy_buyer_id: i64,
    pub corp_id: String,
    /// Loaded on every request, so a move or a role change takes effect at the next call.
    pub organization: i64,
    pub role: OrgRole,
}

/// A corp member, as loaded at the start of the request.
#[derive(Debug, Clone)]
pub struct MemberPrincipal {
    pub login_id: String,
    pub member_id: i64,
    pub corp_id: String,
    pub role: MemberRole,
    pub role_id: Option<i64>,
    /// The features the member holds: its built-in role's, or its custom role's.
    pub features: Vec<i64>,
}

impl MemberPrincipal {
    pub fn is_admin(&self) -> bool {
        self.role == MemberRole::Admin
    }
}

impl Principal {
    pub fn login_id(&self) -> &str {
        match self {
            Principal::Member(m) => &m.login_id,
            Principal::Dealer(d) => &d.login_id,
            Principal::HeavyBuyer(h) => &h.login_id,
            Principal::OrgUser(u) => &u.login_id,
        }
    }

    /// The caller as a corp member, or 4031001 for any other kind of principal.
    pub fn member(&self) -> Result<&MemberPrincipal, ApiError> {
        match self {
            Principal::Member(m) => Ok(m),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for corp members")),
        }
    }

    /// The caller as a dealer, or 4031001.
    pub fn dealer(&self) -> Result<&DealerPrincipal, ApiError> {
        match self {
            Principal::Dealer(d) => Ok(d),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for dealers")),
        }
    }

    /// The caller as a heavy buyer, or 4031001.
    pub fn heavy_buyer(&self) -> Result<&HeavyBuyerPrincipal, ApiError> {
        match self {
            Principal::HeavyBuyer(h) => Ok(h),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for heavy buyers")),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MemberAuthRow {
    corp_id: String,
    role: i64,
    role_id: Option<i64>,
    status: i64,
}

/// Loads the principal a live login stands for. An account that was disabled or removed since
/// the login reads as an invalid token: its logins are revoked too, this is the second fence.
pub async fn load(ctx: &Ctx, login: LoginRef) -> Result<Principal> {
    let invalid = || Error::from(ApiError::new(codes::TOKEN_INVALID, "Access-Token invalid"));
    match login.kind {
        PrincipalKind::Member => {
            let row: Option<MemberAuthRow> = ctx
                .db
                .fetch_optional(
                    &Sql::new("SELECT corp_id, role, role_id, status FROM members WHERE id = $1")
                        .bind(login.principal_id),
                )
                .await?;
            let row = row.filter(|r| r.status == MemberStatus::Active.code()).ok_or_else(invalid)?;
            let role = MemberRole::from_code(row.role).ok_or_else(invalid)?;
            let features = member_features(ctx, role, row.role_id).await?;
            Ok(Principal::Member(MemberPrincipal {
                login_id: login.login_id,
                member_id: login.principal_id,
                corp_id: row.corp_id,
                role,
                role_id: row.role_id,
                features,
            }))
        }
        PrincipalKind::Dealer => {
            let row: Option<(String, String, String, i64)> = ctx
                .db
                .fetch_optional(
                    &Sql::new("SELECT corp_id, dealer_code, scope, status FROM dealers WHERE id = $1")
                        .bind(login.principal_id),
                )
                .await?;
            let (corp_id, dealer_code, scope, _) =
                row.filter(|r| r.3 == PartnerStatus::Enabled.code()).ok_or_else(invalid)?;
            Ok(Principal::Dealer(DealerPrincipal {
                login_id: login.login_id,
                dealer_id: login.principal_id,
                corp_id,
                dealer_code,
                scope,
            }))
        }
        PrincipalKind::HeavyBuyer => {
            let row: Option<(String, i64)> = ctx
                .db
                .fetch_optional(
                    &Sql::new("SELECT corp_id, status FROM heavy_buyers WHERE id = $1").bind(login.principal_id),
                )
                .await?;
            let (corp_id, _) = row.filter(|r| r.1 == PartnerStatus::Enabled.code()).ok_or_else(invalid)?;
            Ok(Principal::HeavyBuyer(HeavyBuyerPrincipal {
                login_id: login.login_id,
                heavy_buyer_id: login.principal_id,
                corp_id,
            }))
        }
        PrincipalKind::OrgUser => {
            // The user, and its heavy buyer's corp and status: a disabled heavy buyer's users
            // are out too.
            let row: Option<(i64, i64, i64, String, i64)> = ctx
                .db
                .fetch_optional(
                    &Sql::new(
                        "SELECT u.heavy_buyer_id, u.organization, u.role, h.corp_id, h.status FROM org_users u \
                         JOIN heavy_buyers h ON h.id = u.heavy_buyer_id WHERE u.id = $1 AND u.status = $2",
                    )
                    .bind(login.principal_id)
                    .bind(PartnerStatus::Enabled.code()),
                )
                .await?;
            let (heavy_buyer_id, organization, role, corp_id, _) =
                row.filter(|r| r.4 == PartnerStatus::Enabled.code()).ok_or_else(invalid)?;
            let role = OrgRole::from_code(role).ok_or_else(invalid)?;
            Ok(Principal::OrgUser(OrgUserPrincipal {
                login_id: login.login_id,
                user_id: login.principal_id,
                heavy_buyer_id,
                corp_id,
                organization,
                role,
            }))
        }
    }
}

/// Loaded on every request, so a role change takes effect at the member's next call.
async fn member_features(ctx: &Ctx, role: MemberRole, role_id: Option<i64>) -> Result<Vec<i64>> {
    match (role, role_id) {
        (MemberRole::Custom, Some(role_id)) => {
            let rows: Vec<(i64,)> = ctx
                .db
                .fetch_all(&Sql::new("SELECT feature FROM member_role_features WHERE role_id = $1").bind(role_id))
                .await?;
            Ok(rows.into_iter().map(|(f,)| f).collect())
        }
        _ => Ok(builtin_features(role).to_vec()),
    }
}

/// The token a `/v2` call carries: `Access-Token: <t>`, or `Authorization: Bearer <t>`.
fn bearer(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts.headers.get("access-token") {
        return v.to_str().ok().map(str::trim).filter(|t| !t.is_empty());
    }
    let auth = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    auth.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

/// The `/v2` extractor: a handler that takes a `Principal` is only reached with a live token.
impl<S> FromRequestParts<S> for Principal
where
    Ctx: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_ref(state);
        let token = bearer(parts).ok_or_else(|| ApiError::new(codes::TOKEN_MISSING, "Access-Token missing"))?;
        let login = token::authenticate(&ctx.db, token).await?;
        load(&ctx, login).await
    }
}

/// The raw access token of a `/v2` call, for the refresh endpoints.
pub struct AccessToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for AccessToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(parts)
            .map(|t| AccessToken(t.to_owned()))
            .ok_or_else(|| ApiError::new(codes::TOKEN_MISSING, "Access-Token missing").into())
    }
}
