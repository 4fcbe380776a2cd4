//! Who is calling. A [`Principal`] is built only by this module, from an access token or a
//! browser session, never from request fields; services take it and decide what it may do.

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{header, request::Parts},
};

use crate::model::{
    dealer::PartnerStatus,
    end_user::EndUserState,
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
    /// The platform operator, above every vendor (seed 003's A*).
    Platform(PlatformPrincipal),
    /// An end user of one vendor (seed 003's C).
    EndUser(EndUserPrincipal),
    /// A service engineer of a vendor (`dealer_id` none) or of one of its dealers.
    Engineer(EngineerPrincipal),
}

/// A service engineer: it sees the tickets dispatched to it and acts on them.
#[derive(Debug, Clone)]
pub struct EngineerPrincipal {
    pub login_id: String,
    pub engineer_id: i64,
    pub corp_id: String,
    pub dealer_id: Option<i64>,
}

/// A platform administrator.
#[derive(Debug, Clone)]
pub struct PlatformPrincipal {
    pub login_id: String,
    pub admin_id: i64,
}

/// An end user: it sees itself and what it owns.
#[derive(Debug, Clone)]
pub struct EndUserPrincipal {
    pub login_id: String,
    pub user_id: i64,
    pub uid: String,
    /// Its vendor.
    pub corp_id: String,
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
            Principal::Platform(a) => &a.login_id,
            Principal::EndUser(u) => &u.login_id,
            Principal::Engineer(e) => &e.login_id,
        }
    }

    /// The caller as the platform operator, or 4031001.
    pub fn platform(&self) -> Result<&PlatformPrincipal, ApiError> {
        match self {
            Principal::Platform(a) => Ok(a),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for the platform operator")),
        }
    }

    /// The vendor a principal belongs to (`None` for the platform operator).
    pub fn corp_id(&self) -> Option<&str> {
        match self {
            Principal::Member(m) => Some(&m.corp_id),
            Principal::Dealer(d) => Some(&d.corp_id),
            Principal::HeavyBuyer(h) => Some(&h.corp_id),
            Principal::OrgUser(u) => Some(&u.corp_id),
            Principal::EndUser(u) => Some(&u.corp_id),
            Principal::Engineer(e) => Some(&e.corp_id),
            Principal::Platform(_) => None,
        }
    }

    /// A dealer's scope chain, within which lie the records (users, devices, tickets) it may
    /// name; `""` for any other kind of principal, whose reach other rules decide.
    pub fn dealer_scope(&self) -> &str {
        match self {
            Principal::Dealer(d) => &d.scope,
            _ => "",
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
    crate::server::request::note_principal(login.kind.label(), login.principal_id);
    let invalid = || Error::from(ApiError::new(codes::TOKEN_INVALID, "Access-Token invalid"));
    match login.kind {
        PrincipalKind::Member => {
            let row: Option<MemberAuthRow> = ctx
                .db
                .fetch_optional(
                    &Sql::new(format!(
                        "SELECT m.corp_id, m.role, m.role_id, m.status FROM members m {} WHERE m.id = $1",
                        open_vendor("m.corp_id")
                    ))
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
                    &Sql::new(format!(
                        "SELECT d.corp_id, d.dealer_code, d.scope, d.status FROM dealers d {} WHERE d.id = $1",
                        open_vendor("d.corp_id")
                    ))
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
                    &Sql::new(format!(
                        "SELECT h.corp_id, h.status FROM heavy_buyers h {} WHERE h.id = $1",
                        open_vendor("h.corp_id")
                    ))
                    .bind(login.principal_id),
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
                    &Sql::new(format!(
                        "SELECT u.heavy_buyer_id, u.organization, u.role, h.corp_id, h.status FROM org_users u \
                         JOIN heavy_buyers h ON h.id = u.heavy_buyer_id {} WHERE u.id = $1 AND u.status = $2",
                        open_vendor("h.corp_id")
                    ))
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
        PrincipalKind::PlatformAdmin => {
            let row: Option<(i64,)> = ctx
                .db
                .fetch_optional(&Sql::new("SELECT status FROM platform_admins WHERE id = $1").bind(login.principal_id))
                .await?;
            row.filter(|(status,)| *status == 1).ok_or_else(invalid)?;
            Ok(Principal::Platform(PlatformPrincipal { login_id: login.login_id, admin_id: login.principal_id }))
        }
        PrincipalKind::EndUser => {
            // A deregistered or disabled user, or one of a vendor that is out, is signed out.
            let row: Option<(String, String)> = ctx
                .db
                .fetch_optional(
                    &Sql::new(format!(
                        "SELECT u.uid, u.corp_id FROM end_users u {} \
                         WHERE u.id = $1 AND u.state = $2 AND u.deregister_time IS NULL",
                        open_vendor("u.corp_id")
                    ))
                    .bind(login.principal_id)
                    .bind(EndUserState::Active.code()),
                )
                .await?;
            let (uid, corp_id) = row.ok_or_else(invalid)?;
            Ok(Principal::EndUser(EndUserPrincipal {
                login_id: login.login_id,
                user_id: login.principal_id,
                uid,
                corp_id,
            }))
        }
        PrincipalKind::Engineer => {
            // A removed or disabled engineer, or one of a vendor that is out, is signed out.
            let row: Option<(String, Option<i64>)> = ctx
                .db
                .fetch_optional(
                    &Sql::new(format!(
                        "SELECT e.corp_id, e.dealer_id FROM engineers e {} \
                         WHERE e.id = $1 AND e.status = 1 AND e.remove_time IS NULL",
                        open_vendor("e.corp_id")
                    ))
                    .bind(login.principal_id),
                )
                .await?;
            let (corp_id, dealer_id) = row.ok_or_else(invalid)?;
            Ok(Principal::Engineer(EngineerPrincipal {
                login_id: login.login_id,
                engineer_id: login.principal_id,
                corp_id,
                dealer_id,
            }))
        }
    }
}

/// Joins a principal's vendor (by the principal's `corp_col`) and keeps the principal only
/// while its vendor may sign in: not disabled, not deregistered.
fn open_vendor(corp_col: &str) -> String {
    format!("JOIN corps c ON c.id = {corp_col} AND c.state <> 0 AND c.deregister_time IS NULL")
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
