//! Work orders (seed 003 五 AE-01..03) and the service engineers who do them. The document
//! gives the list, the summary and the creation; the steps between (review, dispatch, accept,
//! wait, resume, finish, cancel, rate), the timeline and the engineers are this API's, written
//! in the project's API docs.

use axum::{
    extract::State,
    routing::{delete, get, post, put},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::{Json, OptionalJson, Path},
        Routes,
    },
    envelope::{Reply, Result},
    page,
    params::ListParams,
    record,
};
use crate::{
    model::ticket::{Dispatch, Engineer, EngineerInput, NewTicket, Ticket},
    server::{
        auth::{client::ClientAddr, principal::Principal, token::Channel},
        secret::Secret,
        service::{
            engineer, login,
            ticket::{self, Finish},
        },
        state::Ctx,
    },
};

const TAG: Tag = Tag("tickets");

fn ticket_schema() -> serde_json::Value {
    let mut schema = resource(&Ticket::RESOURCE);
    schema["properties"]["approval"] =
        object(&[("check_result", boolean()), ("check_tms", string()), ("check_usr", string())]);
    schema["properties"]["ratings"] =
        object(&[("rate_value", integer()), ("rate_tms", string()), ("rate_detail", string())]);
    schema
}

pub(super) fn routes(api: Routes) -> Routes {
    let step = |path: &'static str, summary: &'static str, body: Option<serde_json::Value>| {
        TAG.op("post", path, summary, body, Some(ticket_schema())).answers(201)
    };
    let note = || Some(object(&[("note?", string())]));
    api.op(
        TAG.op(
            "get",
            "/api/tickets",
            "AE-01 Tickets, newest first: the vendor's (view tickets), a dealer's scope's, a user's own, an engineer's \
             dispatched ones. Filters: status, type, user_id, device_id, engineer_id, overdue, …",
            None,
            Some(object(&[("tickets", array(ticket_schema()))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "get",
            "/api/tickets/summary",
            "AE-02 Counts by status and type, open, overdue, and the average rating, in the caller's scope",
            None,
            Some(object(&[
                ("total", integer()),
                ("by_status", json!({ "type": "object" })),
                ("by_type", json!({ "type": "object" })),
                ("open", integer()),
                ("overdue", integer()),
                ("rated", integer()),
                ("rating", json!({ "type": "number" })),
            ])),
        ),
        get(summary),
    )
    .op(
        TAG.op(
            "post",
            "/api/tickets",
            "AE-03 Open a ticket about a device: a user its own (2 exchange, 3 return, 4 fault); the vendor or a \
             dealer any type, for the device's user",
            Some(object(&[
                ("type", integer()),
                ("device_id", string()),
                ("detail", string()),
                ("appoint_tms?", string()),
                ("user_id?", string()),
            ])),
            Some(ticket_schema()),
        )
        .answers(201),
        post(open),
    )
    .op(TAG.op("get", "/api/tickets/{ticket_id}", "A ticket", None, Some(ticket_schema())), get(read))
    .op(
        TAG.op(
            "get",
            "/api/tickets/{ticket_id}/timeline",
            "A ticket's timeline: every change, who made it, its note",
            None,
            Some(object(&[(
                "events",
                array(object(&[
                    ("time", string()),
                    ("action", string()),
                    ("actor", string()),
                    ("status", integer()),
                    ("note", string()),
                ])),
            )])),
        ),
        get(timeline),
    )
    .op(
        step(
            "/api/tickets/{ticket_id}/review",
            "Review a created ticket (the vendor's ticket handlers, a dealer in scope): approve true → reviewed, \
             false → cancelled; the result, time and reviewer are recorded",
            Some(object(&[("approve", boolean()), ("note?", string())])),
        ),
        post(review),
    )
    .op(
        step(
            "/api/tickets/{ticket_id}/dispatch",
            "Dispatch a reviewed ticket: to engineer_id, or by mode hierarchy (the responsible dealer's least busy \
             engineer, else its upper dealer's, else the vendor's) or location (the nearest of them)",
            Some(object(&[("engineer_id?", integer()), ("mode?", string())])),
        ),
        post(dispatch),
    )
    .op(step("/api/tickets/{ticket_id}/accept", "The engineer accepts: processing", None), post(accept))
    .op(step("/api/tickets/{ticket_id}/wait", "The engineer waits on the user or parts: awaiting response", note()), post(wait))
    .op(step("/api/tickets/{ticket_id}/resume", "The engineer takes it up again: processing", None), post(resume))
    .op(
        step(
            "/api/tickets/{ticket_id}/finish",
            "Finish: the engineer (processing), or the vendor or a dealer closing it; an install names the device \
             installed (device_id): it is bound to the user, its filters fitted, a rental's lease starts; a \
             maintenance resets its filter; a removal ends the lease and refunds the deposit less what it owes",
            Some(object(&[("note?", string()), ("device_id?", string())])),
        ),
        post(finish),
    )
    .op(step("/api/tickets/{ticket_id}/cancel", "Cancel before work starts", note()), post(cancel))
    .op(
        step(
            "/api/tickets/{ticket_id}/rate",
            "The user rates a done ticket once: rate_value 1-5, rate_detail",
            Some(object(&[("rate_value", integer()), ("rate_detail?", string())])),
        ),
        post(rate),
    )
    .op(
        TAG.op(
            "post",
            "/api/engineers/auth",
            "An engineer signs in: {vid, mobile, password}",
            Some(object(&[("vid", string()), ("mobile", string()), ("password", string())])),
            Some(object(&[("engineer_id", integer()), ("access_token", string()), ("refresh_token", string()), ("expire_in", integer())])),
        )
        .public(),
        post(engineer_auth),
    )
    .op(
        TAG.op(
            "get",
            "/api/engineers",
            "Service engineers: the vendor's ticket viewers all, a dealer its own",
            None,
            Some(object(&[("engineers", array(resource(&Engineer::RESOURCE)))])),
        ),
        get(engineers),
    )
    .op(
        TAG.op(
            "post",
            "/api/engineers",
            "Register an engineer (the vendor's ticket handlers, for the vendor or one of its dealers; a dealer for \
             itself): {name, mobile, password, dealer_id?, lng?, lat?}",
            None,
            Some(resource(&Engineer::RESOURCE)),
        )
        .answers(201),
        post(create_engineer),
    )
    .op(TAG.op("get", "/api/engineers/{id}", "An engineer", None, Some(resource(&Engineer::RESOURCE))), get(read_engineer))
    .op(
        TAG.op("put", "/api/engineers/{id}", "Edit an engineer (status 0 disables and signs it out)", None, Some(resource(&Engineer::RESOURCE)))
            .answers(201),
        put(edit_engineer),
    )
    .op(
        TAG.op("delete", "/api/engineers/{id}", "Remove an engineer: its unfinished tickets go back to be dispatched", None, None)
            .answers(204),
        delete(remove_engineer),
    )
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Ticket::RESOURCE, &[])?;
    Ok(page("tickets", &Ticket::RESOURCE, ticket::list(&ctx, &principal, &query).await?))
}

async fn summary(State(ctx): State<Ctx>, principal: Principal) -> Result {
    Ok(Reply::ok(ticket::summary(&ctx, &principal).await?))
}

async fn open(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<NewTicket>) -> Result {
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::open(&ctx, &principal, body).await?)))
}

async fn read(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Ok(record(&Ticket::RESOURCE, ticket::get(&ctx, &principal, &id).await?)))
}

async fn timeline(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(json!({ "events": ticket::timeline(&ctx, &principal, &id).await? })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Note {
    note: String,
}

#[derive(Deserialize)]
struct Review {
    approve: bool,
    #[serde(default)]
    note: String,
}

async fn review(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>, Json(r): Json<Review>) -> Result {
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::review(&ctx, &principal, &id, r.approve, &r.note).await?)))
}

async fn dispatch(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(d): OptionalJson<Dispatch>,
) -> Result {
    let d = d.unwrap_or_default();
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::dispatch(&ctx, &principal, &id, d).await?)))
}

async fn accept(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::accept(&ctx, &principal, &id).await?)))
}

async fn wait(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(n): OptionalJson<Note>,
) -> Result {
    let n = n.unwrap_or_default();
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::wait(&ctx, &principal, &id, &n.note).await?)))
}

async fn resume(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::resume(&ctx, &principal, &id).await?)))
}

async fn finish(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(f): OptionalJson<Finish>,
) -> Result {
    let f = f.unwrap_or_default();
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::finish(&ctx, &principal, &id, f).await?)))
}

async fn cancel(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(n): OptionalJson<Note>,
) -> Result {
    let n = n.unwrap_or_default();
    Ok(Reply::Created(record(&Ticket::RESOURCE, ticket::cancel(&ctx, &principal, &id, &n.note).await?)))
}

#[derive(Deserialize)]
struct Rating {
    rate_value: i64,
    #[serde(default)]
    rate_detail: String,
}

async fn rate(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>, Json(r): Json<Rating>) -> Result {
    Ok(Reply::Created(record(
        &Ticket::RESOURCE,
        ticket::rate(&ctx, &principal, &id, r.rate_value, &r.rate_detail).await?,
    )))
}

#[derive(Deserialize)]
struct EngineerAuth {
    vid: String,
    mobile: String,
    password: Secret,
}

async fn engineer_auth(
    State(ctx): State<Ctx>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<EngineerAuth>,
) -> Result {
    let login = login::engineer_login(&ctx, &body.vid, &body.mobile, &body.password, &client, Channel::Api).await?;
    let tokens = login::issue_tokens(&ctx, &login.login_id).await?;
    Ok(Reply::ok(json!({
        "engineer_id": login.principal_id,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expire_in": tokens.expire_in,
    })))
}

async fn engineers(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Engineer::RESOURCE, &[])?;
    Ok(page("engineers", &Engineer::RESOURCE, engineer::list(&ctx, &principal, &query).await?))
}

async fn create_engineer(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<EngineerInput>) -> Result {
    Ok(Reply::Created(record(&Engineer::RESOURCE, engineer::create(&ctx, &principal, body).await?)))
}

async fn read_engineer(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<i64>) -> Result {
    Ok(Reply::Ok(record(&Engineer::RESOURCE, engineer::get(&ctx, &principal, id).await?)))
}

async fn edit_engineer(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<EngineerInput>,
) -> Result {
    Ok(Reply::Created(record(&Engineer::RESOURCE, engineer::update(&ctx, &principal, id, body).await?)))
}

async fn remove_engineer(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<i64>) -> Result {
    engineer::remove(&ctx, &principal, id).await?;
    Ok(Reply::Deleted)
}
