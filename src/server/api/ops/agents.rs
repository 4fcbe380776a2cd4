//! Agents (seed 003 六): a dealer's own sub-dealers — the list of those below it, adding one
//! directly below itself, removing one of its own (refused while dealers sit below that one).
//! Its commission is under `/api/commission`.

use axum::{
    extract::State,
    routing::{delete, get},
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
    model::dealer::{Dealer, NewDealer},
    server::{auth::principal::Principal, service::dealer, state::Ctx},
};

const TAG: Tag = Tag("agents");

pub(super) fn routes(api: Routes) -> Routes {
    let new_dealer = object(&[
        ("name", string()),
        ("email", string()),
        ("phone", string()),
        ("password", string()),
        ("address?", string()),
    ]);
    api.op(
        TAG.op(
            "get",
            "/api/agents",
            "The dealers below the calling dealer (all levels), with the list parameters",
            None,
            Some(object(&[("agents", array(resource(&Dealer::RESOURCE)))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "post",
            "/api/agents",
            "The calling dealer adds a dealer directly below itself (its own account and password)",
            Some(new_dealer),
            Some(resource(&Dealer::RESOURCE)),
        )
        .answers(201),
        axum::routing::post(add),
    )
    .op(
        TAG.op(
            "delete",
            "/api/agents/{dealer_id}",
            "The calling dealer removes one of its own sub-dealers: refused (422, naming them) while dealers sit \
             below it; its devices go back to the caller's scope and its logins end",
            None,
            None,
        )
        .answers(204),
        delete(remove),
    )
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Dealer::RESOURCE, &[])?;
    Ok(page("agents", &Dealer::RESOURCE, dealer::list_below(&ctx, &principal, &query).await?))
}

async fn add(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<NewDealer>) -> Result {
    Ok(Reply::Created(record(&Dealer::RESOURCE, dealer::add_below(&ctx, &principal, body).await?)))
}

async fn remove(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<i64>) -> Result {
    dealer::delete_below(&ctx, &principal, id).await?;
    Ok(Reply::Deleted)
}
