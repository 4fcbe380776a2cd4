//! The corp itself (the vendor of `/api`): creating one from the command line, and reading its
//! information.

use crate::{
    model::{
        corp::{CorpInfo, MemberBrief},
        validate,
        vendor::NewVendor,
    },
    server::{
        auth::{password, principal::Principal},
        clock::iso,
        db::Sql,
        error::{codes, ApiError, Error, Result},
        secret::Secret,
        service::vendor,
        state::Ctx,
    },
};

/// Input of `backoffice create-corp`.
#[derive(Debug)]
pub struct NewCorp {
    pub company: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub password: Secret,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedCorp {
    pub corp_id: String,
    pub member_id: i64,
}

/// Creates a corp (a vendor, with its code) and its first admin member (role 1, active) in one
/// transaction: `create-corp`'s checks, then the vendor registration of `service::vendor`.
pub async fn create_corp(ctx: &Ctx, input: NewCorp) -> Result<CreatedCorp> {
    let company = validate::text("company", &input.company, 64)?;
    let name = validate::text("name", &input.name, 32)?;
    let email = validate::email("email", &input.email)?;
    let phone = validate::phone("phone", &input.phone)?;
    password::check_member_password("password", &input.password)?;
    let vendor = NewVendor {
        name: company,
        contact: name,
        email,
        mobile: phone,
        pwd: input.password.expose().to_owned(),
        ..NewVendor::default()
    };
    let registered = vendor::create(ctx, None, vendor).await?;
    Ok(CreatedCorp { corp_id: registered.vid, member_id: registered.member_id })
}

/// A corp's name, for the dealer and heavy-buyer portals' headers.
pub async fn company(ctx: &Ctx, corp_id: &str) -> Result<String> {
    let row: Option<(String,)> =
        ctx.db.fetch_optional(&Sql::new("SELECT company FROM corps WHERE id = $1").bind(corp_id.to_owned())).await?;
    Ok(row.map(|(c,)| c).unwrap_or_default())
}

#[derive(sqlx::FromRow)]
struct CorpRow {
    id: String,
    company: String,
    create_time: i64,
    #[sqlx(rename = "type")]
    kind: i64,
    logo: String,
    status: i64,
    device_limit: i64,
    device_total: i64,
}

#[derive(sqlx::FromRow)]
struct MemberBriefRow {
    id: i64,
    phone: String,
    email: String,
    name: String,
}

/// `GET /v2/corp`: the caller's corp and the caller. Any member of the corp may read it.
pub async fn info(ctx: &Ctx, principal: &Principal) -> Result<CorpInfo> {
    let me = principal.member()?;
    let corp: CorpRow = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT id, company, create_time, type, logo, status, device_limit, device_total FROM corps WHERE id = $1")
                .bind(me.corp_id.clone()),
        )
        .await?
        .ok_or_else(|| Error::from(ApiError::new(codes::CORP_NOT_FOUND, "corp not found")))?;
    let member: MemberBriefRow = ctx
        .db
        .fetch_one(&Sql::new("SELECT id, phone, email, name FROM members WHERE id = $1").bind(me.member_id))
        .await?;
    Ok(CorpInfo {
        id: corp.id.clone(),
        corp_id: corp.id,
        company: corp.company,
        create_time: iso(corp.create_time),
        kind: corp.kind,
        logo: corp.logo,
        member: MemberBrief {
            id: member.id,
            phone: member.phone,
            email: member.email,
            name: member.name,
            // The principal was loaded from the member's row at the start of this request.
            role: me.role,
        },
        status: corp.status,
        device_total: corp.device_total,
        device_limit: corp.device_limit,
    })
}
