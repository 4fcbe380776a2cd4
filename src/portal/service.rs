//! Work orders, engineers and devices in service in the corp and dealer portals: the ticket
//! board (a column per status; a card dragged to the next column takes that step, or its
//! button does) and table, a page per ticket with its timeline and steps, the engineers, and a
//! device's service page (lease, filters, bindings, shares, tickets). The server functions are
//! adapters over `service::ticket`, `service::engineer` and `service::in_service` — the calls
//! `/api/tickets…`, `/api/engineers…` and `/api/devices…` make — and the mobile site uses them
//! too, so every caller sees and moves only what its scope holds.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{components::A, hooks::use_params_map};
use serde_json::{Map, Value};

use crate::{
    components::{
        dialog::ConfirmButton,
        record::text,
        table::{rendered, yes_no, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        error::ApiError,
        in_service::ServiceDevice,
        list::{ListRequest, Page},
        money::yuan,
        ticket::{EngineerInput, NewTicket, Ticket, TicketEvent, TicketStatus, TicketSummary, TicketType},
    },
};

/// AE-01: the tickets the caller may see.
#[server(prefix = "/fn", endpoint = "/tickets", input = Json)]
pub async fn list_tickets(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::ticket};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Ticket::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    ticket::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/ticket", input = Json)]
pub async fn get_ticket(ticket_id: String) -> Result<Map<String, Value>, ApiError> {
    use crate::server::{fns, service::ticket};
    let (ctx, principal) = fns::caller().await?;
    ticket::get(&ctx, &principal, &ticket_id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/ticket_timeline", input = Json)]
pub async fn ticket_timeline(ticket_id: String) -> Result<Vec<TicketEvent>, ApiError> {
    use crate::server::{fns, service::ticket};
    let (ctx, principal) = fns::caller().await?;
    ticket::timeline(&ctx, &principal, &ticket_id).await.map_err(fns::refuse)
}

/// AE-02 for the caller's scope.
#[server(prefix = "/fn", endpoint = "/ticket_summary", input = Json)]
pub async fn load_ticket_summary() -> Result<TicketSummary, ApiError> {
    use crate::server::{fns, service::ticket};
    let (ctx, principal) = fns::caller().await?;
    ticket::summary(&ctx, &principal).await.map_err(fns::refuse)
}

/// One step of a ticket's life, by name (who may take it is the service's to say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketMove {
    Approve,
    Refuse,
    Dispatch,
    Accept,
    Wait,
    Resume,
    Finish,
    Cancel,
}

/// Takes `step` on a ticket: `note` for refuse, wait, finish and cancel; `engineer_id` or
/// `mode` for dispatch; `device_id` for an install's finish.
#[server(prefix = "/fn", endpoint = "/ticket_step", input = Json)]
pub async fn ticket_step(
    ticket_id: String,
    step: TicketMove,
    note: String,
    engineer_id: Option<i64>,
    mode: String,
    device_id: String,
) -> Result<(), ApiError> {
    use crate::{
        model::ticket::Dispatch,
        server::{
            fns,
            service::ticket::{self, Finish},
        },
    };
    let (ctx, principal) = fns::caller().await?;
    let (ctx, p, id) = (&ctx, &principal, ticket_id.as_str());
    let done = match step {
        TicketMove::Approve => ticket::review(ctx, p, id, true, &note).await,
        TicketMove::Refuse => ticket::review(ctx, p, id, false, &note).await,
        TicketMove::Dispatch => ticket::dispatch(ctx, p, id, Dispatch { engineer_id, mode }).await,
        TicketMove::Accept => ticket::accept(ctx, p, id).await,
        TicketMove::Wait => ticket::wait(ctx, p, id, &note).await,
        TicketMove::Resume => ticket::resume(ctx, p, id).await,
        TicketMove::Finish => ticket::finish(ctx, p, id, Finish { note, device_id }).await,
        TicketMove::Cancel => ticket::cancel(ctx, p, id, &note).await,
    };
    done.map(drop).map_err(fns::refuse)
}

/// AE-03: opens a ticket; answers its id.
#[server(prefix = "/fn", endpoint = "/ticket_open", input = Json)]
pub async fn open_ticket(input: NewTicket) -> Result<String, ApiError> {
    use crate::server::{fns, service::ticket};
    let (ctx, principal) = fns::caller().await?;
    let t = ticket::open(&ctx, &principal, input).await.map_err(fns::refuse)?;
    Ok(t.get("ticket_id").and_then(Value::as_str).unwrap_or_default().to_owned())
}

#[server(prefix = "/fn", endpoint = "/ticket_rate", input = Json)]
pub async fn rate_ticket(ticket_id: String, value: i64, detail: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::ticket};
    let (ctx, principal) = fns::caller().await?;
    ticket::rate(&ctx, &principal, &ticket_id, value, &detail).await.map(drop).map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/engineers", input = Json)]
pub async fn list_engineers(request: ListRequest) -> Result<Page, ApiError> {
    use crate::{
        model::ticket::Engineer,
        server::{fns, list, service::engineer},
    };
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Engineer::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    engineer::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// Registers an engineer (`id` none) or edits one.
#[server(prefix = "/fn", endpoint = "/engineer_save", input = Json)]
pub async fn save_engineer(id: Option<i64>, input: EngineerInput) -> Result<(), ApiError> {
    use crate::server::{fns, service::engineer};
    let (ctx, principal) = fns::caller().await?;
    let saved = match id {
        None => engineer::create(&ctx, &principal, input).await,
        Some(id) => engineer::update(&ctx, &principal, id, input).await,
    };
    saved.map(drop).map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/engineer_remove", input = Json)]
pub async fn remove_engineer(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::engineer};
    let (ctx, principal) = fns::caller().await?;
    engineer::remove(&ctx, &principal, id).await.map_err(fns::refuse)
}

/// AB-01: the devices in service the caller sees, whole.
#[server(prefix = "/fn", endpoint = "/devices_in_service", input = Json)]
pub async fn list_in_service(request: ListRequest) -> Result<(i64, Vec<ServiceDevice>), ApiError> {
    use crate::{
        model::in_service::Listed,
        server::{fns, list, service::in_service},
    };
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Listed::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    in_service::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// AB-03: one device in service.
#[server(prefix = "/fn", endpoint = "/device_in_service", input = Json)]
pub async fn device_in_service(serial: String) -> Result<ServiceDevice, ApiError> {
    use crate::server::{fns, service::in_service};
    let (ctx, principal) = fns::caller().await?;
    in_service::get(&ctx, &principal, &serial).await.map_err(fns::refuse)
}

/// What a page does to a device: bind it (to the caller, or to the user with `mobile`),
/// share it with `mobile`, end the share of `mobile`, unbind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceChange {
    Bind,
    Share,
    Unshare,
    Unbind,
}

#[server(prefix = "/fn", endpoint = "/device_act", input = Json)]
pub async fn device_act(serial: String, act: DeviceChange, mobile: String) -> Result<(), ApiError> {
    use crate::{
        model::in_service::Who,
        server::{fns, service::in_service},
    };
    let (ctx, principal) = fns::caller().await?;
    let who = Who { user_id: String::new(), mobile };
    let done = match act {
        DeviceChange::Bind => in_service::bind(&ctx, &principal, &serial, who).await.map(drop),
        DeviceChange::Share => in_service::share(&ctx, &principal, &serial, who).await.map(drop),
        DeviceChange::Unshare => in_service::unshare(&ctx, &principal, &serial, who).await,
        DeviceChange::Unbind => in_service::unbind(&ctx, &principal, &serial).await,
    };
    done.map_err(fns::refuse)
}

/// Which portal a page is in: where its links go.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ServiceOf {
    Corp,
    Dealer,
}

impl ServiceOf {
    fn base(self) -> &'static str {
        match self {
            ServiceOf::Corp => "/corp",
            ServiceOf::Dealer => "/dealer",
        }
    }
}

pub fn status_of(row: &Map<String, Value>) -> Option<TicketStatus> {
    row.get("status").and_then(Value::as_i64).and_then(TicketStatus::from_code)
}

pub fn type_of(row: &Map<String, Value>) -> Option<TicketType> {
    row.get("type").and_then(Value::as_i64).and_then(TicketType::from_code)
}

pub fn status_cell(v: &Value, t: &Texts) -> String {
    TicketStatus::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |s| t.service.status(s).into())
}

pub fn type_cell(v: &Value, t: &Texts) -> String {
    TicketType::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |s| t.service.kind(s).into())
}

const STATUS_FILTER: Filter = Filter {
    key: "status",
    label: |t| t.status,
    options: &[
        (1, |t| t.service.status(TicketStatus::Created)),
        (2, |t| t.service.status(TicketStatus::Reviewed)),
        (3, |t| t.service.status(TicketStatus::Dispatched)),
        (4, |t| t.service.status(TicketStatus::Processing)),
        (5, |t| t.service.status(TicketStatus::Awaiting)),
        (6, |t| t.service.status(TicketStatus::Done)),
        (0, |t| t.service.status(TicketStatus::Cancelled)),
    ],
};

const TYPE_FILTER: Filter = Filter {
    key: "type",
    label: |t| t.field_label("ticket", "type"),
    options: &[
        (1, |t| t.service.kind(TicketType::Install)),
        (2, |t| t.service.kind(TicketType::Exchange)),
        (3, |t| t.service.kind(TicketType::Return)),
        (4, |t| t.service.kind(TicketType::Fault)),
        (5, |t| t.service.kind(TicketType::Maintenance)),
        (6, |t| t.service.kind(TicketType::Removal)),
    ],
};

/// The step a card dropped on `to` takes from `from`, if any: review, dispatch by the
/// hierarchy, or close as done.
pub fn drop_step(from: TicketStatus, to: TicketStatus) -> Option<TicketMove> {
    use TicketStatus::*;
    match (from, to) {
        (Created, Reviewed) => Some(TicketMove::Approve),
        (Reviewed, Dispatched) => Some(TicketMove::Dispatch),
        (Dispatched | Processing | Awaiting, Done) => Some(TicketMove::Finish),
        _ => None,
    }
}

fn step_label(step: TicketMove, t: &Texts) -> &'static str {
    match step {
        TicketMove::Approve => t.service.approve,
        TicketMove::Refuse => t.service.refuse,
        TicketMove::Dispatch => t.service.dispatch_auto,
        TicketMove::Accept => t.service.accept,
        TicketMove::Wait => t.service.wait,
        TicketMove::Resume => t.service.resume,
        TicketMove::Finish => t.service.close_ticket,
        TicketMove::Cancel => t.service.cancel_ticket,
    }
}

/// The summary cards: open, overdue, done, average rating.
#[component]
fn SummaryCards(summary: TicketSummary) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let done = summary.by_status.get("6").copied().unwrap_or(0);
    let card = |label: String, value: String, testid: &'static str| {
        view! {
            <div class="rounded-xl border border-slate-200 bg-white p-4" data-testid=testid>
                <p class="text-xs text-slate-500">{label}</p>
                <p class="mt-1 text-2xl font-semibold">{value}</p>
            </div>
        }
    };
    view! {
        <div class="mb-4 grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="ticket-summary">
            {card(t().service.open.into(), summary.open.to_string(), "summary-open")}
            {card(t().service.overdue.into(), summary.overdue.to_string(), "summary-overdue")}
            {card(t().service.status(TicketStatus::Done).into(), done.to_string(), "summary-done")}
            {card(t().service.rating.into(), format!("{:.2}", summary.rating), "summary-rating")}
        </div>
    }
}

/// `/corp/tickets` and `/dealer/tickets`: the summary, then the board or the table.
#[component]
pub fn TicketsPage(of: ServiceOf) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let summary = Resource::new(move || reload.get(), |_| load_ticket_summary());
    let board = Resource::new(
        move || reload.get(),
        |_| list_tickets(ListRequest::paged(0, 100).with_condition("status", "$ne", 0)),
    );
    let as_table = RwSignal::new(false);
    let cols = rendered(rendered(Column::all_of(&Ticket::RESOURCE), "status", status_cell), "type", type_cell);
    let cols = rendered(cols, "overdue", yes_no);
    let shown = ["ticket_id", "status", "type", "user_id", "device_id", "engineer_id", "overdue", "create_tms"];
    let hidden: Vec<&str> = cols.iter().map(|c| c.key).filter(|k| !shown.contains(k)).collect();
    let state = TableState::new(&cols, "ticket_id").keyed_by("ticket_id").hiding(&hidden);
    let page = Resource::new(move || state.request(), list_tickets);
    let link: fn(&Map<String, Value>, &Texts) -> AnyView = match of {
        ServiceOf::Corp => |row, t| ticket_link("/corp", row, t),
        ServiceOf::Dealer => |row, t| ticket_link("/dealer", row, t),
    };
    view! {
        {crate::components::page_title(|t| t.service.tickets_title.to_owned())}
        <div class="mb-4 flex items-center gap-3">
            <h1 class="text-2xl font-bold">{move || t().service.tickets_title}</h1>
            <div class="ml-auto flex rounded-md border border-slate-300 text-sm">
                <button type="button" data-testid="show-board" class=move || if as_table.get() { "px-3 py-1" } else { "bg-slate-800 px-3 py-1 text-white" }
                    on:click=move |_| as_table.set(false)>{move || t().service.board}</button>
                <button type="button" data-testid="show-table" class=move || if as_table.get() { "bg-slate-800 px-3 py-1 text-white" } else { "px-3 py-1" }
                    on:click=move |_| as_table.set(true)>{move || t().service.table}</button>
            </div>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                summary.await.ok().map(|s| view! { <SummaryCards summary=s/> })
            })}
        </Transition>
        <div class:hidden=move || as_table.get()>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(p) => view! { <Board tickets=p.list of=of reload=reload/> }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
        <div class:hidden=move || !as_table.get()>
            <DataTable columns=cols state=state page=page actions=link filters=vec![STATUS_FILTER, TYPE_FILTER] testid="tickets-table"/>
        </div>
    }
}

fn ticket_link(base: &str, row: &Map<String, Value>, t: &Texts) -> AnyView {
    let id = text(row, "ticket_id");
    let label: &'static str = t.view;
    view! { <A href=format!("{base}/tickets/{id}") attr:class="text-indigo-600 hover:underline" attr:data-testid="ticket-link">{label}</A> }
        .into_any()
}

/// The board: a column per status, the tickets as cards. Dragging a card to the column of its
/// next step takes that step (review, dispatch by the hierarchy, close); each card also has
/// that step as a button. A refusal shows over the board.
#[component]
fn Board(tickets: Vec<Map<String, Value>>, of: ServiceOf, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let step = ServerAction::<TicketStep>::new();
    let dragged: RwSignal<Option<(String, TicketStatus)>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(())) = step.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let tickets = StoredValue::new(tickets);
    let take = move |id: String, s: TicketMove| {
        step.dispatch(TicketStep {
            ticket_id: id,
            step: s,
            note: String::new(),
            engineer_id: None,
            mode: String::new(),
            device_id: String::new(),
        });
    };
    view! {
        <p class="mb-2 text-xs text-slate-500">{move || t().service.drag_hint}</p>
        {move || step.value().get().and_then(Result::err).map(|e| view! { <div class="mb-2"><ErrorNote error=e/></div> })}
        <div class="grid gap-3 overflow-x-auto md:grid-cols-6" data-testid="ticket-board">
            {TicketStatus::BOARD.into_iter().map(|column| {
                let cards: Vec<Map<String, Value>> = tickets.with_value(|all| all.iter().filter(|r| status_of(r) == Some(column)).cloned().collect());
                view! {
                    <section class="min-h-40 rounded-xl bg-slate-100 p-2" data-testid="board-column" data-status=column.code()
                        on:dragover=move |ev| ev.prevent_default()
                        on:drop=move |ev| {
                            ev.prevent_default();
                            if let Some((id, from)) = dragged.get_untracked() {
                                if let Some(s) = drop_step(from, column) { take(id, s); }
                            }
                            dragged.set(None);
                        }>
                        <h2 class="mb-2 px-1 text-xs font-semibold uppercase text-slate-500">
                            {move || t().service.status(column)}<span class="ml-1 text-slate-400">{cards.len()}</span>
                        </h2>
                        <ul class="space-y-2">
                            {cards.into_iter().map(|row| {
                                let id = text(&row, "ticket_id");
                                let kind = type_of(&row);
                                let overdue = row.get("overdue").and_then(Value::as_bool).unwrap_or(false);
                                let next = TicketStatus::BOARD.into_iter().find_map(|to| drop_step(column, to));
                                let (id_drag, id_next, id_link, id_data) = (id.clone(), id.clone(), id.clone(), id.clone());
                                view! {
                                    <li draggable="true" class="cursor-grab rounded-lg border border-slate-200 bg-white p-2 text-sm shadow-sm"
                                        data-testid="ticket-card" data-ticket=id_data
                                        on:dragstart=move |ev| {
                                            // Firefox starts a drag only with some data set.
                                            #[cfg(feature = "hydrate")]
                                            if let Some(dt) = ev.data_transfer() { let _ = dt.set_data("text/plain", &id_drag); }
                                            #[cfg(not(feature = "hydrate"))]
                                            let _ = ev;
                                            dragged.set(Some((id_drag.clone(), column)));
                                        }>
                                        <div class="flex items-center justify-between">
                                            <span class="font-medium">{move || kind.map_or("—", |k| t().service.kind(k))}</span>
                                            {overdue.then(|| view! { <span class="rounded bg-red-100 px-1 text-xs text-red-700" data-testid="card-overdue">{move || t().service.overdue}</span> })}
                                        </div>
                                        <A href=format!("{}/tickets/{id_link}", of.base()) attr:class="block truncate font-mono text-xs text-indigo-600 hover:underline">{id.clone()}</A>
                                        <p class="truncate text-xs text-slate-500">{text(&row, "detail")}</p>
                                        {next.map(|s| view! {
                                            <button type="button" data-testid="card-next" disabled=move || step.pending().get()
                                                class="mt-1 rounded bg-slate-800 px-2 py-0.5 text-xs text-white disabled:opacity-60"
                                                on:click=move |_| take(id_next.clone(), s)>{move || step_label(s, t())}</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn CorpTicketsPage() -> impl IntoView {
    view! { <TicketsPage of=ServiceOf::Corp/> }
}

#[component]
pub fn CorpTicketPage() -> impl IntoView {
    view! { <TicketPage of=ServiceOf::Corp/> }
}

#[component]
pub fn CorpEngineersPage() -> impl IntoView {
    view! { <EngineersPage/> }
}

#[component]
pub fn CorpInServicePage() -> impl IntoView {
    view! { <InServicePage of=ServiceOf::Corp/> }
}

#[component]
pub fn CorpServiceDevicePage() -> impl IntoView {
    view! { <ServiceDevicePage of=ServiceOf::Corp/> }
}

/// One ticket: what, for whom, where, its targets, its timeline, and the next steps.
#[component]
pub fn TicketPage(of: ServiceOf) -> impl IntoView {
    let params = use_params_map();
    let ticket_id = move || params.read().get("id").unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let ticket = Resource::new(move || (ticket_id(), reload.get()), |(id, _)| get_ticket(id));
    let events = Resource::new(move || (ticket_id(), reload.get()), |(id, _)| ticket_timeline(id));
    let engineers = Resource::new(|| (), |_| list_engineers(ListRequest::paged(0, 100)));
    let i18n = use_i18n();
    view! {
        {crate::components::page_title(|t| t.service.ticket.to_owned())}
        <A href=format!("{}/tickets", of.base()) attr:class="text-sm text-indigo-600 hover:underline">{move || i18n.t().service.tickets_title}</A>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match (ticket.await, events.await, engineers.await) {
                    (Ok(tk), Ok(ev), eng) => {
                        let eng = eng.map(|p| p.list).unwrap_or_default();
                        view! { <TicketView ticket=tk events=ev engineers=eng reload=reload of=of/> }.into_any()
                    }
                    (Err(e), _, _) | (_, Err(e), _) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TicketView(
    ticket: Map<String, Value>,
    events: Vec<TicketEvent>,
    engineers: Vec<Map<String, Value>>,
    reload: RwSignal<u32>,
    of: ServiceOf,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = text(&ticket, "ticket_id");
    let status = status_of(&ticket);
    let kind = type_of(&ticket);
    let serial = text(&ticket, "device_id");
    let facts: Vec<(&'static str, String)> = {
        let tt = t();
        ["user_id", "device_id", "address", "engineer_id", "detail", "respond_due", "resolve_due", "note", "check_usr"]
            .into_iter()
            .filter_map(|k| {
                let v = match ticket.get(k) {
                    Some(Value::String(s)) if !s.is_empty() => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return None,
                };
                Some((tt.field_label("ticket", k), v))
            })
            .collect()
    };
    let overdue = ticket.get("overdue").and_then(Value::as_bool).unwrap_or(false);
    let rating = ticket.get("rate_value").and_then(Value::as_i64);
    view! {
        <div class="mt-3 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-bold" data-testid="ticket-id">{id.clone()}</h1>
            <span class="rounded bg-slate-100 px-2 py-0.5 text-sm" data-testid="ticket-type">{move || kind.map_or("—", |k| t().service.kind(k))}</span>
            <span class="rounded bg-indigo-50 px-2 py-0.5 text-sm text-indigo-700" data-testid="ticket-status">{move || status.map_or("—", |s| t().service.status(s))}</span>
            {overdue.then(|| view! { <span class="rounded bg-red-100 px-2 py-0.5 text-sm text-red-700">{move || t().service.overdue}</span> })}
            {rating.map(|r| view! { <span class="text-sm text-amber-600" data-testid="ticket-rating">{"★".repeat(r.clamp(0, 5) as usize)}</span> })}
        </div>
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <section class="rounded-xl border border-slate-200 bg-white p-5">
                <dl class="text-sm" data-testid="ticket-facts">
                    {facts.into_iter().map(|(label, value)| view! {
                        <div class="flex justify-between gap-4 py-0.5"><dt class="text-slate-500">{label}</dt><dd class="text-right">{value}</dd></div>
                    }).collect_view()}
                </dl>
                {(!serial.is_empty()).then(|| view! {
                    <A href=format!("{}/service/{serial}", of.base()) attr:class="mt-2 inline-block text-sm text-indigo-600 hover:underline" attr:data-testid="ticket-device">{move || t().service.device}</A>
                })}
            </section>
            <section class="rounded-xl border border-slate-200 bg-white p-5">
                <h2 class="mb-2 font-semibold">{move || t().service.timeline}</h2>
                <Timeline events=events/>
            </section>
        </div>
        {status.map(|s| view! { <ManagerSteps ticket_id=id.clone() status=s engineers=engineers reload=reload/> })}
    }
}

/// A ticket's timeline, oldest first.
#[component]
pub fn Timeline(events: Vec<TicketEvent>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="space-y-1 text-sm" data-testid="ticket-timeline">
            {events.into_iter().map(|e| {
                let status = TicketStatus::from_code(e.status);
                view! {
                    <li class="flex justify-between gap-3" data-testid="timeline-event" data-action=e.action.clone()>
                        <span>{move || status.map_or("—", |s| i18n.t().service.status(s))}<span class="ml-2 text-xs text-slate-400">{e.actor.clone()}</span></span>
                        <span class="truncate text-slate-500">{e.note.clone()}</span>
                        <span class="shrink-0 text-xs text-slate-500">{e.time.replace('T', " ").trim_end_matches('Z').to_owned()}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// The vendor's (or the dealer's) steps for a ticket in `status`.
#[component]
fn ManagerSteps(
    ticket_id: String,
    status: TicketStatus,
    engineers: Vec<Map<String, Value>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let step = ServerAction::<TicketStep>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = step.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let id = StoredValue::new(ticket_id);
    let note = RwSignal::new(String::new());
    let engineer = RwSignal::new(String::new());
    let run = move |s: TicketMove, mode: &str| {
        step.dispatch(TicketStep {
            ticket_id: id.get_value(),
            step: s,
            note: note.get_untracked(),
            engineer_id: engineer.get_untracked().parse().ok(),
            mode: mode.to_owned(),
            device_id: String::new(),
        });
    };
    let confirm = move |s: TicketMove, message: fn(&Texts) -> &'static str, testid: &'static str| {
        view! {
            <ConfirmButton label=Signal::derive(move || step_label(s, i18n.t()).to_string())
                message=Signal::derive(move || message(i18n.t()).to_string())
                on_confirm=Callback::new(move |_| run(s, "")) testid=testid danger=matches!(s, TicketMove::Refuse | TicketMove::Cancel)/>
        }
    };
    let button = move |s: TicketMove, mode: &'static str, label: fn(&Texts) -> &'static str, testid: &'static str| {
        view! {
            <button type="button" data-testid=testid disabled=move || step.pending().get()
                class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60"
                on:click=move |_| run(s, mode)>{move || label(t())}</button>
        }
    };
    let cancellable = matches!(status, TicketStatus::Created | TicketStatus::Reviewed | TicketStatus::Dispatched);
    let closable = matches!(status, TicketStatus::Dispatched | TicketStatus::Processing | TicketStatus::Awaiting);
    view! {
        <section class="mt-4 flex flex-wrap items-start gap-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="ticket-steps">
            {(status == TicketStatus::Created).then(|| view! {
                {button(TicketMove::Approve, "", |t| t.service.approve, "approve")}
                {confirm(TicketMove::Refuse, |t| t.service.refuse_confirm, "refuse")}
            })}
            {(status == TicketStatus::Reviewed).then(|| view! {
                <label class="text-sm">
                    <span class="mr-2">{move || t().service.engineer}</span>
                    <select class="rounded-md border border-slate-300 px-2 py-1" data-testid="engineer-pick"
                        on:change=move |ev| engineer.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {engineers.iter().map(|e| {
                            let eid = e.get("id").and_then(Value::as_i64).unwrap_or(0).to_string();
                            view! { <option value=eid>{format!("{} {}", text(e, "name"), text(e, "mobile"))}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {button(TicketMove::Dispatch, "", |t| t.service.dispatch, "dispatch")}
                {button(TicketMove::Dispatch, "location", |t| t.service.dispatch_location, "dispatch-location")}
            })}
            {closable.then(|| view! {
                <TextField label=Signal::derive(move || t().service.note.to_string()) value=note name="note"/>
                {confirm(TicketMove::Finish, |t| t.service.close_confirm, "close-ticket")}
            })}
            {cancellable.then(|| confirm(TicketMove::Cancel, |t| t.service.cancel_confirm, "cancel-ticket"))}
            {move || step.value().get().and_then(Result::err).map(|e| view! { <div class="w-full"><ErrorNote error=e/></div> })}
        </section>
    }
}

/// `/corp/engineers` and `/dealer/engineers`: the engineers, a form to register one, and each
/// one's enable/disable and remove.
#[component]
pub fn EngineersPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let list = Resource::new(move || reload.get(), |_| list_engineers(ListRequest::paged(0, 100)));
    let save = ServerAction::<SaveEngineer>::new();
    let remove = ServerAction::<RemoveEngineer>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) || matches!(remove.value().get(), Some(Ok(()))) {
            reload.update(|n| *n += 1);
        }
    });
    let (name, mobile, password, lng, lat) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    view! {
        {crate::components::page_title(|t| t.service.engineers_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().service.engineers_title}</h1>
        <form class="mb-6 grid gap-3 rounded-xl border border-slate-200 bg-white p-5 md:grid-cols-6" data-testid="engineer-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveEngineer { id: None, input: EngineerInput {
                    name: Some(name.get()), mobile: Some(mobile.get()), password: Some(password.get()),
                    lng: Some(lng.get()), lat: Some(lat.get()), ..EngineerInput::default()
                }});
            }>
            <TextField label=Signal::derive(move || t().field_label("engineer", "name").to_string()) value=name name="name"/>
            <TextField label=Signal::derive(move || t().field_label("engineer", "mobile").to_string()) value=mobile name="mobile" kind="tel"/>
            <TextField label=Signal::derive(move || t().password.to_string()) value=password name="password" kind="password"/>
            <TextField label=Signal::derive(move || t().field_label("engineer", "lng").to_string()) value=lng name="lng"/>
            <TextField label=Signal::derive(move || t().field_label("engineer", "lat").to_string()) value=lat name="lat"/>
            <button type="submit" data-testid="engineer-save" disabled=move || save.pending().get()
                class="self-end rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-60">{move || t().service.new_engineer}</button>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <div class="md:col-span-6"><ErrorNote error=e/></div> })}
        </form>
        {move || remove.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(p) => view! {
                        <table class="w-full rounded-xl bg-white text-sm" data-testid="engineers-table">
                            <thead class="text-left text-xs text-slate-500"><tr>
                                <th class="p-2">{move || t().field_label("engineer", "name")}</th>
                                <th>{move || t().field_label("engineer", "mobile")}</th>
                                <th>{move || t().field_label("engineer", "dealer_id")}</th>
                                <th>{move || t().status}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {p.list.into_iter().map(|e| {
                                    let id = e.get("id").and_then(Value::as_i64).unwrap_or(0);
                                    let enabled = e.get("status").and_then(Value::as_i64) == Some(1);
                                    view! {
                                        <tr class="border-t border-slate-100" data-testid="engineer-row">
                                            <td class="p-2">{text(&e, "name")}</td>
                                            <td>{text(&e, "mobile")}</td>
                                            <td>{e.get("dealer_id").and_then(Value::as_i64).map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td>{move || if enabled { t().service.enable } else { t().service.disable }}</td>
                                            <td class="flex gap-2 py-1">
                                                <button type="button" class="rounded border border-slate-300 px-2 py-0.5 text-xs"
                                                    on:click=move |_| { save.dispatch(SaveEngineer { id: Some(id), input: EngineerInput { status: Some(if enabled { 0 } else { 1 }), ..EngineerInput::default() } }); }>
                                                    {move || if enabled { t().service.disable } else { t().service.enable }}
                                                </button>
                                                <ConfirmButton label=Signal::derive(move || t().service.remove.to_string())
                                                    message=Signal::derive(move || t().service.remove_confirm.to_string())
                                                    on_confirm=Callback::new(move |_| { remove.dispatch(RemoveEngineer { id }); }) testid="engineer-remove" danger=true/>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/corp/service` and `/dealer/service`: the devices in service the caller sees.
#[component]
pub fn InServicePage(of: ServiceOf) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let devices = Resource::new(|| (), |_| list_in_service(ListRequest::paged(0, 100).with_order("id", true)));
    view! {
        {crate::components::page_title(|t| t.service.devices_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().service.devices_title}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match devices.await {
                    Ok((_, list)) => view! {
                        <table class="w-full rounded-xl bg-white text-sm" data-testid="in-service-table">
                            <thead class="text-left text-xs text-slate-500"><tr>
                                <th class="p-2">{move || t().service.serial}</th><th>{move || t().field_label("device_in_service", "model")}</th>
                                <th>{move || t().field_label("device_in_service", "service_state")}</th><th>{move || t().service.owner}</th><th>{move || t().service.expires}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| {
                                    let state = d.service.state;
                                    view! {
                                        <tr class="border-t border-slate-100" data-testid="in-service-row">
                                            <td class="p-2"><A href=format!("{}/service/{}", of.base(), d.device_id) attr:class="font-mono text-indigo-600 hover:underline">{d.device_id.clone()}</A></td>
                                            <td>{d.model.clone()}</td>
                                            <td>{move || t().service.service_state(state)}</td>
                                            <td>{d.user_id.clone()}</td>
                                            <td>{d.service.expire.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A device's service page: its service and lease, its filters' life, who it is bound to and
/// shared with, and its tickets.
#[component]
pub fn ServiceDevicePage(of: ServiceOf) -> impl IntoView {
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let device = Resource::new(serial, device_in_service);
    let tickets =
        Resource::new(serial, |s| list_tickets(ListRequest::paged(0, 50).with_condition("device_id", "$eq", s)));
    let i18n = use_i18n();
    view! {
        {crate::components::page_title(|t| t.service.device.to_owned())}
        <A href=format!("{}/service", of.base()) attr:class="text-sm text-indigo-600 hover:underline">{move || i18n.t().service.devices_title}</A>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match (device.await, tickets.await) {
                    (Ok(d), Ok(tk)) => view! { <DeviceService device=d tickets=tk.list of=of/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DeviceService(device: ServiceDevice, tickets: Vec<Map<String, Value>>, of: ServiceOf) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let state = device.service.state;
    view! {
        <div class="mt-3 flex flex-wrap items-center gap-3">
            <h1 class="font-mono text-2xl font-bold" data-testid="device-serial">{device.device_id.clone()}</h1>
            <span class="rounded bg-emerald-50 px-2 py-0.5 text-sm text-emerald-700" data-testid="device-service-state">{move || t().service.service_state(state)}</span>
        </div>
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <section class="rounded-xl border border-slate-200 bg-white p-5">
                <h2 class="mb-2 font-semibold">{move || t().service.lease}</h2>
                <LeaseView device=device.clone()/>
                <h2 class="mb-1 mt-4 font-semibold">{move || t().service.owner}</h2>
                <p class="text-sm" data-testid="device-owner">{if device.user_id.is_empty() { "—".to_owned() } else { device.user_id.clone() }}</p>
                <h2 class="mb-1 mt-3 font-semibold">{move || t().service.guests}</h2>
                <p class="text-sm" data-testid="device-guests">{if device.user_share.is_empty() { "—".to_owned() } else { device.user_share.join(", ") }}</p>
            </section>
            <section class="rounded-xl border border-slate-200 bg-white p-5">
                <h2 class="mb-2 font-semibold">{move || t().service.filters}</h2>
                <FilterBars device=device.clone()/>
            </section>
        </div>
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5">
            <h2 class="mb-2 font-semibold">{move || t().service.tickets_title}</h2>
            <ul class="space-y-1 text-sm" data-testid="device-tickets">
                {tickets.into_iter().map(|r| {
                    let id = text(&r, "ticket_id");
                    let (kind, status) = (type_of(&r), status_of(&r));
                    view! {
                        <li class="flex gap-3">
                            <A href=format!("{}/tickets/{id}", of.base()) attr:class="font-mono text-indigo-600 hover:underline">{id.clone()}</A>
                            <span>{move || kind.map_or("—", |k| t().service.kind(k))}</span>
                            <span class="text-slate-500">{move || status.map_or("—", |s| t().service.status(s))}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The lease: state, start, expiry, deposit, litres.
#[component]
pub fn LeaseView(device: ServiceDevice) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    match device.service.lease {
        None => view! { <p class="text-sm text-slate-500" data-testid="lease">{move || t().service.no_lease}</p> }
            .into_any(),
        Some(l) => {
            let state = l.state;
            let day = |s: &str| s.get(..10).unwrap_or(s).to_owned();
            view! {
                <dl class="text-sm" data-testid="lease" data-state=state>
                    <div class="flex justify-between"><dt class="text-slate-500">{move || t().status}</dt><dd data-testid="lease-state">{move || t().service.lease_state(state)}</dd></div>
                    <div class="flex justify-between"><dt class="text-slate-500">{move || t().service.started}</dt><dd>{day(&l.start_tms)}</dd></div>
                    {l.expire_tms.as_deref().map(|e| view! { <div class="flex justify-between"><dt class="text-slate-500">{move || t().service.expires}</dt><dd data-testid="lease-expire">{day(e)}</dd></div> })}
                    {(l.litres > 0).then(|| view! { <div class="flex justify-between"><dt class="text-slate-500">{move || t().service.litres}</dt><dd>{format!("{} / {}", l.used_litres, l.litres)}</dd></div> })}
                    <div class="flex justify-between"><dt class="text-slate-500">{move || t().shop.deposit}</dt><dd>{format!("¥{}", yuan(l.deposit))}</dd></div>
                </dl>
            }
            .into_any()
        }
    }
}

/// Each filter's remaining life as a bar.
#[component]
pub fn FilterBars(device: ServiceDevice) -> impl IntoView {
    let filters = device.statistics.filters;
    view! {
        <ul class="space-y-2 text-sm" data-testid="filters">
            {filters.into_iter().map(|f| {
                let left = f.remaining.clamp(0, 100);
                let color = if left <= 10 { "bg-red-500" } else if left <= 30 { "bg-amber-500" } else { "bg-emerald-500" };
                view! {
                    <li data-testid="filter" data-remaining=left>
                        <div class="flex justify-between"><span>{f.name.clone()}</span><span>{format!("{left}%")}</span></div>
                        <div class="h-2 rounded bg-slate-100"><div class=format!("h-2 rounded {color}") style=format!("width: {left}%")></div></div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
