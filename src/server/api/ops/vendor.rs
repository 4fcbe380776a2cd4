//! Vendors (seed 003 AX-01..08, AX-13), for the platform operator. The vendor's own admin may
//! read its record and change its profile and accounts here as well (the corp portal's settings).
//! Signing records (AX-09..12) are Pending in the document and not served.

use axum::{
    extract::State,
    routing::{delete, get, post, put},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::{Json, Path},
        Routes,
    },
    envelope::{Reply, Result},
    page,
    params::ListParams,
    record,
};
use crate::{
    model::vendor::{NewVendor, Vendor, VendorAccounts, VendorEdit, VendorOptions, WechatPayAccounts},
    server::{auth::principal::Principal, secret::Secret, service::vendor, state::Ctx},
};

const TAG: Tag = Tag("vendors");

fn vendor_schema() -> serde_json::Value {
    resource(&Vendor::RESOURCE)
}

fn vid() -> serde_json::Value {
    object(&[("vid", string())])
}

pub(super) fn routes(api: Routes) -> Routes {
    let profile = || {
        object(&[
            ("name?", string()),
            ("abbv?", string()),
            ("logo?", string()),
            ("domain?", string()),
            ("contact?", string()),
            ("wechat?", string()),
            ("email?", string()),
            ("area?", string()),
            ("address?", string()),
            ("remark?", string()),
            ("user?", string()),
            ("state?", integer()),
        ])
    };
    let accounts = || {
        object(&[
            ("mp_gid?", string()),
            ("mp_appid?", string()),
            ("mp_secret?", string()),
            ("mch_gid?", string()),
            ("mch_appid?", string()),
            ("mch_secret?", string()),
            ("mch_serial?", string()),
            ("mch_key?", string()),
            ("wxpay_key_id?", string()),
            ("wxpay_key?", string()),
        ])
    };
    let new_vendor = object(&[
        ("user?", string()),
        ("pwd", string()),
        ("name", string()),
        ("mobile", string()),
        ("email", string()),
        ("contact?", string()),
        ("abbv?", string()),
        ("logo?", string()),
        ("domain?", string()),
        ("wechat?", string()),
        ("area?", string()),
        ("address?", string()),
        ("remark?", string()),
        ("mp_gid?", string()),
        ("mp_appid?", string()),
        ("mp_secret?", string()),
        ("mch_gid?", string()),
        ("mch_appid?", string()),
        ("mch_secret?", string()),
        ("state?", integer()),
    ]);
    api.op(
        TAG.op(
            "get",
            "/api/vendors",
            "AX-01 Every vendor (the platform)",
            None,
            Some(object(&[("vendors", array(vendor_schema()))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "post",
            "/api/vendors",
            "AX-02 Register a vendor: the corp, its code and its first admin",
            Some(new_vendor),
            Some(object(&[("vid", string()), ("code", string())])),
        )
        .answers(201),
        post(register),
    )
    .op(
        TAG.op(
            "get",
            "/api/vendors/{vid}",
            "AX-03 A vendor (its secrets only as set or not)",
            None,
            Some(vendor_schema()),
        ),
        get(read),
    )
    .op(
        TAG.op(
            "put",
            "/api/vendors/{vid}",
            "AX-04 Edit a vendor's profile; state 0/1/2 disables or enables it",
            Some(profile()),
            Some(vid()),
        )
        .answers(201),
        put(edit),
    )
    .op(
        TAG.op(
            "delete",
            "/api/vendors/{vid}",
            "AX-13 Deregister a vendor: nobody of it can sign in, its data stays, it answers 410",
            None,
            None,
        )
        .answers(204),
        delete(deregister),
    )
    .op(
        TAG.op(
            "put",
            "/api/vendors/{vid}/pwd",
            "AX-05 The vendor's password (its first admin's)",
            Some(object(&[("pwd", string())])),
            Some(vid()),
        )
        .answers(201),
        put(set_password),
    )
    .op(
        TAG.op(
            "put",
            "/api/vendors/{vid}/mob",
            "AX-06 The vendor's mobile (its first admin's sign-in phone)",
            Some(object(&[("mobile", string())])),
            Some(vid()),
        )
        .answers(201),
        put(set_mobile),
    )
    .op(
        TAG.op(
            "put",
            "/api/vendors/{vid}/mxx",
            "AX-07 Official-account and merchant settings; secrets are write-only. WeChat Pay API v3: mch_gid \
             (mchid), mch_appid (appid), mch_secret (the APIv3 key, 32 characters), mch_serial (the API \
             certificate's serial), mch_key (the merchant's private key, PEM), wxpay_key_id and wxpay_key \
             (WeChat Pay's public key id and PEM); with all set, weixin payments go to WeChat Pay",
            Some(accounts()),
            Some(vid()),
        )
        .answers(201),
        put(set_accounts),
    )
    .op(
        TAG.op(
            "get",
            "/api/vendors/{vid}/mxx",
            "AX-07 The official-account and merchant settings as they stand, secrets only as set or not; \
             wechatpay_v3: weixin payments go to WeChat Pay (else the sandbox)",
            None,
            Some(object(&[
                ("mp_gid", string()),
                ("mp_appid", string()),
                ("mp_secret_set", boolean()),
                ("mch_gid", string()),
                ("mch_appid", string()),
                ("mch_secret_set", boolean()),
                ("mch_serial", string()),
                ("mch_key_set", boolean()),
                ("wxpay_key_id", string()),
                ("wxpay_key", string()),
                ("wechatpay_v3", boolean()),
            ])),
        ),
        get(read_accounts),
    )
    .op(
        TAG.op(
            "put",
            "/api/vendors/{vid}/cfg",
            "AX-08 Which areas the vendor runs",
            Some(object(&[
                ("users?", boolean()),
                ("mall?", boolean()),
                ("orders?", boolean()),
                ("tickets?", boolean()),
                ("commission?", boolean()),
            ])),
            Some(vid()),
        )
        .answers(201),
        put(set_options),
    )
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Vendor::RESOURCE, &[])?;
    Ok(page("vendors", &Vendor::RESOURCE, vendor::list(&ctx, &principal, &query).await?))
}

async fn register(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<NewVendor>) -> Result {
    let registered = vendor::register(&ctx, &principal, body).await?;
    Ok(Reply::created(json!({ "vid": registered.vid, "code": registered.code })))
}

async fn read(State(ctx): State<Ctx>, principal: Principal, Path(vid): Path<String>) -> Result {
    Ok(Reply::Ok(record(&Vendor::RESOURCE, vendor::get(&ctx, &principal, &vid).await?)))
}

async fn edit(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(vid): Path<String>,
    Json(body): Json<VendorEdit>,
) -> Result {
    vendor::edit(&ctx, &principal, &vid, body).await?;
    Ok(Reply::created(json!({ "vid": vid })))
}

#[derive(Deserialize)]
struct Pwd {
    pwd: Secret,
}

async fn set_password(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(vid): Path<String>,
    Json(body): Json<Pwd>,
) -> Result {
    vendor::set_password(&ctx, &principal, &vid, body.pwd).await?;
    Ok(Reply::created(json!({ "vid": vid })))
}

#[derive(Deserialize)]
struct Mobile {
    mobile: String,
}

async fn set_mobile(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(vid): Path<String>,
    Json(body): Json<Mobile>,
) -> Result {
    vendor::set_mobile(&ctx, &principal, &vid, &body.mobile).await?;
    Ok(Reply::created(json!({ "vid": vid })))
}

/// AX-07's body: the accounts and, beside them, WeChat Pay API v3's settings.
#[derive(Deserialize)]
struct Accounts {
    #[serde(flatten)]
    accounts: VendorAccounts,
    #[serde(flatten)]
    wxpay: WechatPayAccounts,
}

async fn set_accounts(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(vid): Path<String>,
    Json(body): Json<Accounts>,
) -> Result {
    vendor::set_all_accounts(&ctx, &principal, &vid, body.accounts, body.wxpay).await?;
    Ok(Reply::created(json!({ "vid": vid })))
}

async fn read_accounts(State(ctx): State<Ctx>, principal: Principal, Path(vid): Path<String>) -> Result {
    Ok(Reply::Ok(vendor::accounts(&ctx, &principal, &vid).await?))
}

async fn set_options(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(vid): Path<String>,
    Json(body): Json<VendorOptions>,
) -> Result {
    vendor::set_options(&ctx, &principal, &vid, body).await?;
    Ok(Reply::created(json!({ "vid": vid })))
}

async fn deregister(State(ctx): State<Ctx>, principal: Principal, Path(vid): Path<String>) -> Result {
    vendor::deregister(&ctx, &principal, &vid).await?;
    Ok(Reply::Deleted)
}
