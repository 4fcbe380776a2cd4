//! The mall's merchandise (seed 003 AC-01..07): the vendor's members write it, dealers and end
//! users read what is on sale. Image links are given as text (`resource`); `POST
//! /api/mall/images` uploads a picture and answers the link (`/files/<key>`).

use axum::{
    body::Body,
    extract::State,
    http::HeaderMap,
    routing::{delete, get, post, put},
};

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
    model::merchandise::{Merchandise, MerchandiseInput, Specification},
    server::{auth::principal::Principal, files, service::merchandise, state::Ctx},
};

const TAG: Tag = Tag("mall");

fn merchandise_schema() -> serde_json::Value {
    resource(&Merchandise::RESOURCE)
}

fn specification_schema() -> serde_json::Value {
    let filter = object(&[
        ("order", integer()),
        ("name", string()),
        ("timer_mode", integer()),
        ("lifetime", integer()),
        ("worklife", integer()),
    ]);
    let outlet = object(&[("name", string()), ("key", string()), ("value", integer())]);
    object(&[
        ("mode?", integer()),
        ("filters?", array(filter)),
        ("flowmeter?", object(&[("measure_mode?", integer()), ("config?", array(outlet))])),
    ])
}

fn input_schema() -> serde_json::Value {
    let plan = object(&[("name", string()), ("key", string()), ("value", integer())]);
    object(&[
        ("state?", integer()),
        ("type?", integer()),
        ("name", string()),
        ("desc?", string()),
        ("tags?", string()),
        ("sequence?", integer()),
        ("bonus?", boolean()),
        ("price", integer()),
        ("orig_price?", integer()),
        ("freight?", integer()),
        ("install?", boolean()),
        ("maintain?", boolean()),
        ("install_cost?", integer()),
        ("maintain_cost?", integer()),
        ("billing?", integer()),
        ("resource?", object(&[("prev_res?", string()), ("intro_res?", array(string())), ("detail_res?", string())])),
        ("notify_url?", string()),
        ("rent?", object(&[("deposit?", integer()), ("config?", array(plan))])),
        ("commis?", object(&[("enabled?", boolean()), ("config?", array(integer()))])),
        ("specification?", specification_schema()),
    ])
}

pub(super) fn routes(api: Routes) -> Routes {
    api.op(
        TAG.op(
            "get",
            "/api/products",
            "AC-01 Merchandise: the vendor's members all of their vendor's (view the mall), dealers and users what is \
             on sale, the platform every vendor's. Filters: state, type, billing, name, …",
            None,
            Some(object(&[("products", array(merchandise_schema()))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "post",
            "/api/products",
            "AC-02 Add a merchandise (manage the mall); money in fen; answers it with its prod_id",
            Some(input_schema()),
            Some(merchandise_schema()),
        )
        .answers(201),
        post(create),
    )
    .op(TAG.op("get", "/api/products/{prod_id}", "AC-03 One merchandise", None, Some(merchandise_schema())), get(read))
    .op(
        TAG.op(
            "put",
            "/api/products/{prod_id}",
            "AC-04 Change a merchandise (the fields given); orders keep the prices they were made with",
            Some(input_schema()),
            Some(merchandise_schema()),
        )
        .answers(201),
        put(edit),
    )
    .op(
        TAG.op(
            "get",
            "/api/products/{prod_id}/prof",
            "AC-05 A merchandise's specification: filters and flowmeter",
            None,
            Some(specification_schema()),
        ),
        get(read_specification),
    )
    .op(
        TAG.op(
            "put",
            "/api/products/{prod_id}/prof",
            "AC-06 Replace a merchandise's specification",
            Some(specification_schema()),
            Some(merchandise_schema()),
        )
        .answers(201),
        put(set_specification),
    )
    .op(
        TAG.op(
            "delete",
            "/api/products/{prod_id}",
            "AC-07 Delete a merchandise no order names (422 when orders name it: archive it, state 2)",
            None,
            None,
        )
        .answers(204),
        delete(remove),
    )
    .op(
        TAG.op(
            "post",
            "/api/mall/images",
            "Upload a picture for merchandise (manage the mall): the raw PNG, JPEG, WebP or GIF as the body with its \
             Content-Type, at most FILES_MAX_BYTES (5 MiB); answers {url} (/files/<key>, public) for resource's \
             prev_res, intro_res and detail_res. The same picture answers the same url. 4221220: not such a picture \
             (by its bytes) or not the declared type; 4221221: too large",
            Some(image_body()),
            Some(object(&[("url", string())])),
        )
        .answers(201),
        post(upload_image),
    )
}

/// The upload's body: the picture itself, not JSON (`x-media` lists the types the document
/// shows it under).
fn image_body() -> serde_json::Value {
    serde_json::json!({
        "type": "string",
        "format": "binary",
        "x-media": ["image/png", "image/jpeg", "image/webp", "image/gif"],
    })
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Merchandise::RESOURCE, &[])?;
    Ok(page("products", &Merchandise::RESOURCE, merchandise::list(&ctx, &principal, &query).await?))
}

async fn create(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<MerchandiseInput>) -> Result {
    let m = merchandise::create(&ctx, &principal, body).await?;
    Ok(Reply::Created(record(&Merchandise::RESOURCE, m)))
}

async fn read(State(ctx): State<Ctx>, principal: Principal, Path(prod_id): Path<String>) -> Result {
    Ok(Reply::Ok(record(&Merchandise::RESOURCE, merchandise::get(&ctx, &principal, &prod_id).await?)))
}

async fn edit(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(prod_id): Path<String>,
    Json(body): Json<MerchandiseInput>,
) -> Result {
    let m = merchandise::edit(&ctx, &principal, &prod_id, body).await?;
    Ok(Reply::Created(record(&Merchandise::RESOURCE, m)))
}

async fn read_specification(State(ctx): State<Ctx>, principal: Principal, Path(prod_id): Path<String>) -> Result {
    Ok(Reply::ok(merchandise::specification(&ctx, &principal, &prod_id).await?))
}

async fn set_specification(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(prod_id): Path<String>,
    Json(body): Json<Specification>,
) -> Result {
    let m = merchandise::set_specification(&ctx, &principal, &prod_id, body).await?;
    Ok(Reply::Created(record(&Merchandise::RESOURCE, m)))
}

async fn remove(State(ctx): State<Ctx>, principal: Principal, Path(prod_id): Path<String>) -> Result {
    merchandise::delete(&ctx, &principal, &prod_id).await?;
    Ok(Reply::Deleted)
}

async fn upload_image(State(ctx): State<Ctx>, principal: Principal, headers: HeaderMap, body: Body) -> Result {
    let url = files::receive(&ctx, &principal, &headers, body).await?;
    Ok(Reply::created(serde_json::json!({ "url": url })))
}
