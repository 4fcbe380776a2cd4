//! Devices (CONTRACT "Beyond the documents"; fields from seed 000 op 8): create one or a batch,
//! read, change, delete, the list for each kind of principal, and assignment to dealers and
//! heavy buyers (granting and taking back).

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    extract::{Json, Path, Query},
    member::{list_body, page_of},
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::{
        device::{BatchEntry, Device, DeviceEdit, DeviceKey, DeviceRefs, NewDevice},
        list::Page,
    },
    server::{auth::principal::Principal, error::Result, service::device, state::Ctx},
};

fn device_schema() -> Value {
    resource(&Device::RESOURCE)
}

fn refs_schema() -> Value {
    object(&[("devices", array(object(&[("id", integer()), ("mac", string())])))])
}

fn keys_schema() -> Value {
    array(object(&[("mac?", string()), ("device_id?", integer())]))
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("devices");

pub(super) fn routes(api: Api) -> Api {
    let editable = || vec![("name?", string()), ("sn?", string()), ("domain?", string()), ("tags?", array(string()))];
    let mut new_fields = vec![("mac", string())];
    new_fields.extend(editable());
    api.op(
        TAG.op(
            "post",
            "/v2/product/{product_id}/device",
            "Add a device (MAC: 12 hex characters, unique in the product: 4001021; quota: 4041033)",
            Some(object(&new_fields)),
            Some(device_schema()),
        ),
        post(create),
    )
    .op(
        TAG.op(
            "post",
            "/v2/product/{product_id}/device_batch",
            "Add up to 2000 devices in one transaction: MACs, or objects like the single add; existing MACs are \
             skipped; answers the devices created",
            Some(array(json!({ "oneOf": [string(), object(&new_fields)] }))),
            Some(refs_schema()),
        ),
        post(batch),
    )
    .op(
        TAG.op(
            "post",
            "/v2/product/{product_id}/device_import_batch",
            "The same as device_batch, at the path the original console imports a CSV file to",
            Some(array(object(&new_fields))),
            Some(refs_schema()),
        ),
        post(batch),
    )
    .op(
        TAG.op("get", "/v2/product/{product_id}/device/{device_id}", "A device", None, Some(device_schema())),
        get(get_one),
    )
    .op(
        TAG.op(
            "put",
            "/v2/product/{product_id}/device/{device_id}",
            "Change a device's name, sn, domain or tags (those given)",
            Some(object(&{
                let mut fields = editable();
                fields.extend(["country?", "province?", "city?", "address?"].map(|k| (k, string())));
                fields
            })),
            Some(device_schema()),
        ),
        put(update),
    )
    .op(
        TAG.op(
            "delete",
            "/v2/product/{product_id}/device/{device_id}",
            "Delete a device that is not activated (4001022)",
            None,
            None,
        ),
        delete(remove),
    )
    .op(
        TAG.op(
            "post",
            "/v2/product/{product_id}/devices",
            "The product's devices, with the list query language over every device field",
            Some(list_body()),
            Some(page_of(device_schema())),
        ),
        post(list),
    )
    .op(
        TAG.op(
            "post",
            "/v2/dealer/product/{product_id}/devices",
            "For a dealer: the product's devices assigned to it or to the dealers below it",
            Some(list_body()),
            Some(page_of(device_schema())),
        ),
        post(dealer_list),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/product/{product_id}/devices",
            "For a heavy buyer: the product's devices granted to it",
            Some(list_body()),
            Some(page_of(device_schema())),
        ),
        post(heavy_buyer_list),
    )
    .op(
        TAG.op(
            "post",
            "/v2/dealer/{dealer_id}/grant_device",
            "Assign devices of product_id (query) to a dealer, by mac or device_id; all or nothing",
            Some(keys_schema()),
            Some(refs_schema()),
        ),
        post(grant_dealer),
    )
    .op(
        TAG.op(
            "post",
            "/v2/dealer/{dealer_id}/revoke_device",
            "Take devices of product_id (query) back from a dealer (they must sit with it or below it); all or \
             nothing",
            Some(keys_schema()),
            Some(refs_schema()),
        ),
        post(revoke_dealer),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/grant_device",
            "Grant devices of product_id (query) to a heavy buyer's root organization; a device another heavy \
             buyer holds is refused; all or nothing",
            Some(keys_schema()),
            Some(refs_schema()),
        ),
        post(grant_heavy_buyer),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/revoke_device",
            "Take devices of product_id (query) back from a heavy buyer; all or nothing",
            Some(keys_schema()),
            Some(refs_schema()),
        ),
        post(revoke_heavy_buyer),
    )
}

#[derive(Deserialize)]
struct ProductParam {
    product_id: String,
}

async fn create(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(product_id): Path<String>,
    Json(body): Json<NewDevice>,
) -> Result<axum::Json<Device>> {
    Ok(axum::Json(device::create(&ctx, &p, &product_id, body).await?))
}

async fn batch(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(product_id): Path<String>,
    Json(body): Json<Vec<BatchEntry>>,
) -> Result<axum::Json<DeviceRefs>> {
    Ok(axum::Json(device::create_batch(&ctx, &p, &product_id, body).await?))
}

async fn get_one(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, id)): Path<(String, i64)>,
) -> Result<axum::Json<Device>> {
    Ok(axum::Json(device::get(&ctx, &p, &product_id, id).await?))
}

async fn update(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, id)): Path<(String, i64)>,
    Json(body): Json<DeviceEdit>,
) -> Result<axum::Json<Device>> {
    Ok(axum::Json(device::update(&ctx, &p, &product_id, id, body).await?))
}

async fn remove(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, id)): Path<(String, i64)>,
) -> Result<StatusCode> {
    device::delete(&ctx, &p, &product_id, id).await?;
    Ok(StatusCode::OK)
}

async fn list(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(product_id): Path<String>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    Ok(axum::Json(device::corp_list(&ctx, &p, &product_id, &body).await?))
}

async fn dealer_list(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(product_id): Path<String>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    Ok(axum::Json(device::dealer_list(&ctx, &p, &product_id, &body).await?))
}

async fn heavy_buyer_list(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(product_id): Path<String>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    Ok(axum::Json(device::heavy_buyer_list(&ctx, &p, &product_id, &body).await?))
}

async fn grant_dealer(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(dealer_id): Path<i64>,
    Query(q): Query<ProductParam>,
    Json(body): Json<Vec<DeviceKey>>,
) -> Result<axum::Json<DeviceRefs>> {
    Ok(axum::Json(device::grant_to_dealer(&ctx, &p, dealer_id, &q.product_id, &body).await?))
}

async fn revoke_dealer(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(dealer_id): Path<i64>,
    Query(q): Query<ProductParam>,
    Json(body): Json<Vec<DeviceKey>>,
) -> Result<axum::Json<DeviceRefs>> {
    Ok(axum::Json(device::revoke_from_dealer(&ctx, &p, dealer_id, &q.product_id, &body).await?))
}

async fn grant_heavy_buyer(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(heavy_buyer_id): Path<i64>,
    Query(q): Query<ProductParam>,
    Json(body): Json<Vec<DeviceKey>>,
) -> Result<axum::Json<DeviceRefs>> {
    Ok(axum::Json(device::grant_to_heavy_buyer(&ctx, &p, heavy_buyer_id, &q.product_id, &body).await?))
}

async fn revoke_heavy_buyer(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(heavy_buyer_id): Path<i64>,
    Query(q): Query<ProductParam>,
    Json(body): Json<Vec<DeviceKey>>,
) -> Result<axum::Json<DeviceRefs>> {
    Ok(axum::Json(device::revoke_from_heavy_buyer(&ctx, &p, heavy_buyer_id, &q.product_id, &body).await?))
}
