//! Devices in service (seed 003 AB-01..16), named by serial (the DID). AB-10 is served at
//! `/statistics` (the document repeats AB-09's `/stat`) and AB-15 at `POST /share` (it repeats
//! AB-11's `/bind`), as OPS-CONTRACT.md settles.

use axum::{
    extract::State,
    routing::{delete, get, post, put},
};
use serde_json::json;

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::{Json, OptionalJson, Path},
        Routes,
    },
    envelope::{Reply, Result},
    params::ListParams,
};
use crate::{
    model::in_service::{DeviceConfig, Listed, Profile, Registration, ServiceEdit, Who},
    server::{auth::principal::Principal, service::in_service, state::Ctx},
};

const TAG: Tag = Tag("devices");

fn device_schema() -> serde_json::Value {
    object(&[
        ("device_id", string()),
        ("status", integer()),
        ("type", integer()),
        ("model", string()),
        ("vendor_id", string()),
        ("product_id", string()),
        ("name", string()),
        ("user_id", string()),
        ("user_share", array(string())),
        ("manufacture", object(&[("product_id", string()), ("qc_id", string()), ("qc_tms", string())])),
        ("installation", object(&[("installer_id", integer()), ("install_tms", string()), ("address", string())])),
        ("service", object(&[("state", integer()), ("expire", string())])),
        ("basic", object(&[("dev_idcd", string())])),
        ("state", object(&[("online", boolean()), ("online_tms", string()), ("offline_tms", string())])),
        (
            "statistics",
            object(&[
                ("water_ml", integer()),
                ("filters", array(object(&[("order", integer()), ("remaining", integer())]))),
            ]),
        ),
    ])
}

fn who_schema() -> serde_json::Value {
    object(&[("user_id?", string()), ("mobile?", string())])
}

pub(super) fn routes(api: Routes) -> Routes {
    let one = "/api/devices/{device_id}";
    api.op(
        TAG.op(
            "get",
            "/api/devices",
            "AB-01 Devices in service the caller sees: the platform all, the vendor's device viewers the vendor's, a \
             dealer its scope's, a user those bound to or shared with it, an engineer those of its tickets. Filters: \
             type, service_state, online, prod_id, device_id",
            None,
            Some(object(&[("devices", array(device_schema()))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "post",
            "/api/devices",
            "AB-02 The platform registers serials for a vendor's product (all or none): {device_ids, type, model, \
             hw_version, sw_version, manufacture_tms, vendor_id, product_id, prod_id?}",
            Some(object(&[
                ("device_ids", array(string())),
                ("type", integer()),
                ("model?", string()),
                ("vendor_id", string()),
                ("product_id", string()),
                ("prod_id?", string()),
            ])),
            Some(object(&[("device_ids", array(string()))])),
        )
        .answers(201),
        post(register),
    )
    .op(TAG.op("get", one, "AB-03 A device, whole", None, Some(device_schema())), get(read))
    .op(
        TAG.op("put", one, "AB-04 The vendor's configuration (naming a merchandise fits its filters)", None, Some(device_schema()))
            .answers(201),
        put(configure),
    )
    .op(
        TAG.op("delete", one, "AB-14 The platform deregisters a device: 410 from then on", None, None).answers(204),
        delete(deregister),
    )
    .op(TAG.op("get", "/api/devices/{device_id}/prof", "AB-05 The user's profile of the device", None, None), get(read_profile))
    .op(
        TAG.op("put", "/api/devices/{device_id}/prof", "AB-06 Edit the profile (the vendor, or the owner)", None, None)
            .answers(201),
        put(edit_profile),
    )
    .op(TAG.op("get", "/api/devices/{device_id}/svc", "AB-07 Service state, expiry and lease", None, None), get(read_service))
    .op(
        TAG.op("put", "/api/devices/{device_id}/svc", "AB-08 Set the service state and expiry (the vendor)", None, None)
            .answers(201),
        put(edit_service),
    )
    .op(TAG.op("get", "/api/devices/{device_id}/stat", "AB-09 Run state", None, None), get(read_run_state))
    .op(
        TAG.op("get", "/api/devices/{device_id}/statistics", "AB-10 Counters and each filter's remaining life", None, None),
        get(read_statistics),
    )
    .op(
        TAG.op(
            "post",
            "/api/devices/{device_id}/bind",
            "AB-11 Bind: a user binds a device of its vendor to itself (no body); the vendor or a dealer in scope names \
             the user",
            Some(who_schema()),
            Some(device_schema()),
        )
        .answers(201),
        post(bind),
    )
    .op(
        TAG.op("delete", "/api/devices/{device_id}/bind", "AB-13 Unbind (the owner or the vendor; never a guest)", None, None)
            .answers(204),
        delete(unbind),
    )
    .op(
        TAG.op("delete", "/api/devices/{device_id}/infos", "AB-12 Factory reset: profile, binding and shares cleared", None, None)
            .answers(204),
        delete(reset),
    )
    .op(
        TAG.op(
            "post",
            "/api/devices/{device_id}/share",
            "AB-15 The owner shares the device with another user of the vendor: {mobile}",
            Some(who_schema()),
            Some(device_schema()),
        )
        .answers(201),
        post(share),
    )
    .op(
        TAG.op(
            "delete",
            "/api/devices/{device_id}/share",
            "AB-16 End a share (?mobile= or ?user_id=): the owner any, a guest its own, the vendor",
            None,
            None,
        )
        .answers(204),
        delete(unshare),
    )
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Listed::RESOURCE, &[])?;
    let (total, devices) = in_service::list(&ctx, &principal, &query).await?;
    Ok(Reply::List { total, data: json!({ "devices": devices }) })
}

async fn register(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<Registration>) -> Result {
    let serials = in_service::register(&ctx, &principal, body).await?;
    Ok(Reply::created(json!({ "device_ids": serials })))
}

async fn read(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(in_service::get(&ctx, &principal, &id).await?))
}

async fn configure(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    Json(c): Json<DeviceConfig>,
) -> Result {
    Ok(Reply::created(in_service::configure(&ctx, &principal, &id, c).await?))
}

async fn deregister(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    in_service::deregister(&ctx, &principal, &id).await?;
    Ok(Reply::Deleted)
}

async fn read_profile(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(in_service::profile(&ctx, &principal, &id).await?))
}

async fn edit_profile(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    Json(p): Json<Profile>,
) -> Result {
    Ok(Reply::created(in_service::edit_profile(&ctx, &principal, &id, p).await?))
}

async fn read_service(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(in_service::service(&ctx, &principal, &id).await?))
}

async fn edit_service(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    Json(e): Json<ServiceEdit>,
) -> Result {
    Ok(Reply::created(in_service::edit_service(&ctx, &principal, &id, e).await?))
}

async fn read_run_state(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(in_service::run_state(&ctx, &principal, &id).await?))
}

async fn read_statistics(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(in_service::statistics(&ctx, &principal, &id).await?))
}

/// The body is optional (a user binding to itself sends none).
async fn bind(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(who): OptionalJson<Who>,
) -> Result {
    Ok(Reply::created(in_service::bind(&ctx, &principal, &id, who.unwrap_or_default()).await?))
}

async fn unbind(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    in_service::unbind(&ctx, &principal, &id).await?;
    Ok(Reply::Deleted)
}

async fn reset(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    in_service::reset(&ctx, &principal, &id).await?;
    Ok(Reply::Deleted)
}

async fn share(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(who): OptionalJson<Who>,
) -> Result {
    Ok(Reply::created(in_service::share(&ctx, &principal, &id, who.unwrap_or_default()).await?))
}

/// The guest is named in the query (`?mobile=` or `?user_id=`); a JSON body is accepted too.
async fn unshare(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Who>,
    OptionalJson(body): OptionalJson<Who>,
) -> Result {
    let named = if q == Who::default() { body.unwrap_or_default() } else { q };
    in_service::unshare(&ctx, &principal, &id, named).await?;
    Ok(Reply::Deleted)
}
