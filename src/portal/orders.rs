//! Orders in the corp and dealer portals: the table (state filter, time conditions) and a page
//! per order with its lines, receiver, delivery, timeline and every payment and refund; the
//! vendor ships, consents to a return, refunds, or closes an unpaid order from there. The server
//! functions are adapters over `service::order` and `service::payment` — the same calls
//! `/api/orders…` makes, so a dealer sees only the orders of its users and a user only its own
//! (the mobile site uses them too).

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{components::A, hooks::use_params_map};
use serde_json::{Map, Value};

use crate::{
    components::{
        dialog::ConfirmButton,
        filter::{BuilderField, FilterBuilder},
        record::text,
        table::{rendered, time, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        money::yuan,
        order::{Delivery, NewOrder, Order, OrderState, PayAt, Payment},
    },
    portal::mall::money_cell,
};

#[server(prefix = "/fn", endpoint = "/orders", input = Json)]
pub async fn list_orders(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::order};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Order::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    order::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// AD-03: one order with its lines (`content`).
#[server(prefix = "/fn", endpoint = "/order", input = Json)]
pub async fn get_order(order_id: String) -> Result<Map<String, Value>, ApiError> {
    use crate::server::{fns, service::order};
    let (ctx, principal) = fns::caller().await?;
    order::get(&ctx, &principal, &order_id).await.map_err(fns::refuse)
}

/// AD-10: every payment and refund of the order.
#[server(prefix = "/fn", endpoint = "/order_payments", input = Json)]
pub async fn order_payments(order_id: String) -> Result<Vec<Value>, ApiError> {
    use crate::server::{fns, service::payment};
    let (ctx, principal) = fns::caller().await?;
    payment::of_order(&ctx, &principal, &order_id).await.map_err(fns::refuse)
}

/// One step of an order's life, by its name (who may take it is the service's to say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStep {
    Ship,
    Confirm,
    Return,
    Consent,
    Refund,
    Close,
}

/// AD-05 ship (with `delivery`), AD-11 confirm, AD-12 return (with `reason`), AD-13 consent,
/// AD-14 refund, or close.
#[server(prefix = "/fn", endpoint = "/order_advance", input = Json)]
pub async fn advance_order(
    order_id: String,
    step: OrderStep,
    delivery: Delivery,
    reason: String,
) -> Result<(), ApiError> {
    use crate::server::{fns, service::order};
    let (ctx, principal) = fns::caller().await?;
    let (ctx, p, id) = (&ctx, &principal, order_id.as_str());
    let done = match step {
        OrderStep::Ship => order::ship(ctx, p, id, delivery).await,
        OrderStep::Confirm => order::confirm(ctx, p, id).await,
        OrderStep::Return => order::ask_return(ctx, p, id, &reason).await,
        OrderStep::Consent => order::consent(ctx, p, id).await,
        OrderStep::Refund => order::refund(ctx, p, id).await,
        OrderStep::Close => order::close(ctx, p, id).await,
    };
    done.map(|_| ()).map_err(fns::refuse)
}

/// AD-02: the signed-in user orders; answers the new order's id.
#[server(prefix = "/fn", endpoint = "/order_create", input = Json)]
pub async fn create_order(input: NewOrder) -> Result<String, ApiError> {
    use crate::server::{fns, service::order};
    let (ctx, principal) = fns::caller().await?;
    let created = order::create(&ctx, &principal, input).await.map_err(fns::refuse)?;
    Ok(created.get("order_id").and_then(Value::as_str).unwrap_or_default().to_owned())
}

/// AD-07: the user's unpaid order to pay; answers where: the sandbox's page, or WeChat Pay's
/// Native code as a QR code to scan (a vendor with an API v3 merchant).
#[server(prefix = "/fn", endpoint = "/order_pay", input = Json)]
pub async fn pay_order(order_id: String) -> Result<PayAt, ApiError> {
    use crate::server::{error::Error, fns, service::payment};
    let (ctx, principal) = fns::caller().await?;
    let prepaid = payment::prepay(&ctx, &principal, &order_id, "weixin").await.map_err(fns::refuse)?;
    match prepaid.code_url {
        Some(code_url) => {
            let qr =
                qrcode::QrCode::new(code_url.as_bytes()).map_err(|e| fns::refuse(Error::internal(e.to_string())))?;
            let qr_svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
            Ok(PayAt::Scan { code_url, qr_svg })
        }
        None => Ok(PayAt::Page(prepaid.pay_url)),
    }
}

/// The vendor's payments and refunds, every order's.
#[server(prefix = "/fn", endpoint = "/payments", input = Json)]
pub async fn list_payments(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::payment};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Payment::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    payment::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

pub const STATE_FILTER: Filter = Filter {
    key: "state",
    label: |t| t.status,
    options: &[
        (0, |t| t.shop.order_state(OrderState::Obligation)),
        (1, |t| t.shop.order_state(OrderState::Paid)),
        (2, |t| t.shop.order_state(OrderState::Delivered)),
        (3, |t| t.shop.order_state(OrderState::Received)),
        (4, |t| t.shop.order_state(OrderState::Return)),
        (5, |t| t.shop.order_state(OrderState::Consent)),
        (6, |t| t.shop.order_state(OrderState::Refund)),
        (7, |t| t.shop.order_state(OrderState::Close)),
        (8, |t| t.shop.order_state(OrderState::Done)),
    ],
};

pub fn state_cell(v: &Value, t: &Texts) -> String {
    OrderState::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |s| t.shop.order_state(s).into())
}

fn columns() -> Vec<Column> {
    let mut cols = rendered(Column::all_of(&Order::RESOURCE), "state", state_cell);
    for key in ["goods", "freight", "install_fee", "deposit", "rent", "total"] {
        cols = rendered(cols, key, money_cell);
    }
    cols
}

/// What the table starts with: the id, the state, the user, the total and the times that
/// matter most; the column chooser offers the rest.
const SHOWN: [&str; 6] = ["order_id", "state", "uid", "total", "pay_tms", "create_tms"];

/// Where an order's page is: the corp portal's or the dealer portal's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OrdersOf {
    Corp,
    Dealer,
}

impl OrdersOf {
    pub fn base(self) -> &'static str {
        match self {
            OrdersOf::Corp => "/corp/orders",
            OrdersOf::Dealer => "/dealer/orders",
        }
    }

    fn link(self) -> fn(&Map<String, Value>, &Texts) -> AnyView {
        match self {
            OrdersOf::Corp => |row, t| order_link(OrdersOf::Corp, row, t),
            OrdersOf::Dealer => |row, t| order_link(OrdersOf::Dealer, row, t),
        }
    }
}

fn order_link(of: OrdersOf, row: &Map<String, Value>, t: &Texts) -> AnyView {
    let id = row.get("order_id").and_then(Value::as_str).unwrap_or("").to_owned();
    let label: &'static str = t.view;
    view! { <A href=format!("{}/{id}", of.base()) attr:class="text-indigo-600 hover:underline" attr:data-testid="order-link">{label}</A> }
        .into_any()
}

/// The orders table: a state filter, and conditions on any field (times: from and to).
#[component]
pub fn OrdersTable(of: OrdersOf) -> impl IntoView {
    let cols = columns();
    let hidden: Vec<&str> = cols.iter().map(|c| c.key).filter(|k| !SHOWN.contains(k)).collect();
    let state = TableState::new(&cols, "order_id").keyed_by("order_id").hiding(&hidden);
    let page = Resource::new(move || state.request(), list_orders);
    view! {
        <FilterBuilder fields=BuilderField::all_of(&Order::RESOURCE) state=state/>
        <DataTable columns=cols state=state page=page actions=of.link() filters=vec![STATE_FILTER] testid="orders-table"/>
    }
}

/// `/corp/orders` and `/dealer/orders`' body.
#[component]
pub fn OrdersList(of: OrdersOf) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {crate::components::page_title(|t| t.shop.orders_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || i18n.t().shop.orders_title}</h1>
        <OrdersTable of=of/>
    }
}

#[component]
pub fn CorpOrdersPage() -> impl IntoView {
    view! { <OrdersList of=OrdersOf::Corp/> }
}

#[component]
pub fn CorpOrderPage() -> impl IntoView {
    view! { <OrderPage of=OrdersOf::Corp/> }
}

/// One order: what was bought, by whom, to where, its timeline and its payments; the vendor's
/// next step where there is one.
#[component]
pub fn OrderPage(of: OrdersOf) -> impl IntoView {
    let params = use_params_map();
    let order_id = move || params.read().get("id").unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let order = Resource::new(move || (order_id(), reload.get()), |(id, _)| get_order(id));
    let payments = Resource::new(move || (order_id(), reload.get()), |(id, _)| order_payments(id));
    let i18n = use_i18n();
    let vendor = of == OrdersOf::Corp;
    view! {
        {crate::components::page_title(|t| t.shop.order.to_owned())}
        <A href=of.base() attr:class="text-sm text-indigo-600 hover:underline">{move || i18n.t().shop.orders_title}</A>
        // A Transition: after a step the page keeps showing the order until the new one is read.
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match (order.await, payments.await) {
                    (Ok(o), Ok(p)) => view! { <OrderView order=o payments=p reload=reload vendor=vendor/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn fen(order: &Map<String, Value>, key: &str) -> i64 {
    order.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The order's state.
pub fn order_state(order: &Map<String, Value>) -> Option<OrderState> {
    order.get("state").and_then(Value::as_i64).and_then(OrderState::from_code)
}

/// What happened to the order and when, in order.
pub fn timeline(order: &Map<String, Value>, t: &Texts) -> Vec<(&'static str, String)> {
    [
        ("create_tms", t.shop.t_created),
        ("pay_tms", t.shop.t_paid),
        ("delivery_tms", t.shop.t_shipped),
        ("receive_tms", t.shop.t_received),
        ("return_tms", t.shop.t_return),
        ("consent_tms", t.shop.t_consent),
        ("refund_tms", t.shop.t_refunded),
        ("close_tms", t.shop.t_closed),
        ("complete_tms", t.shop.t_done),
    ]
    .into_iter()
    .filter_map(|(key, label)| order.get(key).filter(|v| v.is_string()).map(|v| (label, time(v, t))))
    .collect()
}

/// The lines of an order: name, quantity, plan, and what each cost.
#[component]
pub fn OrderLines(order: Map<String, Value>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let lines = order.get("content").and_then(Value::as_array).cloned().unwrap_or_default();
    view! {
        <table class="w-full text-sm" data-testid="order-lines">
            <thead class="text-left text-xs text-slate-500"><tr>
                <th>{move || t().name}</th><th>{move || t().shop.quantity}</th><th>{move || t().shop.plan}</th><th class="text-right">{move || t().shop.amount}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|l| {
                    let line = l.as_object().cloned().unwrap_or_default();
                    let amount = fen(&line, "price") * fen(&line, "quantity") + fen(&line, "rent") + fen(&line, "deposit");
                    view! {
                        <tr class="border-t border-slate-100">
                            <td class="py-1">{text(&line, "name")}</td>
                            <td>{fen(&line, "quantity")}</td>
                            <td>{text(&line, "rent_plan")}</td>
                            <td class="text-right">{yuan(amount)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The totals of an order: goods, freight, installation, deposit, rent, and what was paid.
pub fn totals(order: &Map<String, Value>, t: &Texts) -> Vec<(&'static str, String)> {
    let mut rows = vec![(t.field_label("order", "goods"), yuan(fen(order, "goods")))];
    for key in ["freight", "install_fee", "deposit", "rent"] {
        if fen(order, key) != 0 {
            rows.push((t.field_label("order", key), yuan(fen(order, key))));
        }
    }
    rows.push((t.field_label("order", "total"), yuan(fen(order, "total"))));
    rows
}

#[component]
fn OrderView(order: Map<String, Value>, payments: Vec<Value>, reload: RwSignal<u32>, vendor: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let order_id = text(&order, "order_id");
    let state = order_state(&order);
    let receiver = order.get("receiver").cloned().unwrap_or(Value::Null);
    let delivery = order.get("delivery").cloned().unwrap_or(Value::Null);
    let field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let tt = t();
    let rows = totals(&order, tt);
    let steps = timeline(&order, tt);
    view! {
        <div class="mt-3 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-bold" data-testid="order-id">{order_id.clone()}</h1>
            <span class="rounded bg-slate-100 px-2 py-0.5 text-sm" data-testid="order-state">
                {move || state.map_or("—", |s| t().shop.order_state(s))}
            </span>
        </div>
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <section class="rounded-xl border border-slate-200 bg-white p-5">
                <h2 class="mb-2 font-semibold">{move || t().shop.lines}</h2>
                <OrderLines order=order.clone()/>
                <dl class="mt-3 text-sm" data-testid="order-totals">
                    {rows.into_iter().map(|(label, value)| view! {
                        <div class="flex justify-between py-0.5"><dt class="text-slate-500">{label}</dt><dd class="font-medium">{value}</dd></div>
                    }).collect_view()}
                </dl>
            </section>
            <section class="rounded-xl border border-slate-200 bg-white p-5">
                <h2 class="mb-2 font-semibold">{move || t().shop.timeline}</h2>
                <ol class="space-y-1 text-sm" data-testid="order-timeline">
                    {steps.into_iter().map(|(label, at)| view! {
                        <li class="flex justify-between"><span>{label}</span><span class="text-slate-500">{at}</span></li>
                    }).collect_view()}
                </ol>
                <h2 class="mb-1 mt-4 font-semibold">{move || t().shop.receiver}</h2>
                <p class="text-sm" data-testid="order-receiver">
                    {format!("{} {} · {} {}", field(&receiver, "name"), field(&receiver, "phone"), field(&receiver, "area"), field(&receiver, "address"))}
                </p>
                {(!field(&delivery, "company").is_empty()).then(|| view! {
                    <p class="mt-2 text-sm" data-testid="order-delivery">
                        {format!("{} {} {}", field(&delivery, "company"), field(&delivery, "tracking_num"), field(&delivery, "delivery_clerk"))}
                    </p>
                })}
                {(!text(&order, "return_reason").is_empty()).then(|| view! {
                    <p class="mt-2 text-sm text-amber-700">{format!("{}: {}", t().shop.return_reason, text(&order, "return_reason"))}</p>
                })}
            </section>
        </div>
        <PaymentsTable payments=payments/>
        {(vendor && state.is_some()).then(|| view! { <VendorSteps order_id=order_id.clone() state=state.unwrap_or(OrderState::Done) reload=reload/> })}
    }
}

#[component]
fn PaymentsTable(payments: Vec<Value>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cell = |p: &Value, k: &str| p.get(k).and_then(Value::as_str).unwrap_or("—").to_owned();
    view! {
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5">
            <h2 class="mb-2 font-semibold">{move || t().shop.payments}</h2>
            <table class="w-full text-sm" data-testid="order-payments">
                <thead class="text-left text-xs text-slate-500"><tr>
                    <th>{move || t().shop.payment_kind}</th><th>{move || t().shop.channel}</th><th>{move || t().status}</th>
                    <th class="text-right">{move || t().shop.amount}</th><th>{move || t().shop.transaction}</th><th>{move || t().shop.t_created}</th>
                </tr></thead>
                <tbody>
                    {payments.iter().map(|p| {
                        let (kind, status) = (cell(p, "kind"), cell(p, "status"));
                        let (data_kind, data_status) = (kind.clone(), status.clone());
                        let amount = p.get("amount").and_then(Value::as_i64).unwrap_or(0);
                        view! {
                            <tr class="border-t border-slate-100" data-testid="payment-row" data-kind=data_kind data-status=data_status>
                                <td class="py-1">{move || t().shop.payment_kind_name(&kind)}</td>
                                <td>{cell(p, "channel")}</td>
                                <td>{move || t().shop.payment_status_name(&status)}</td>
                                <td class="text-right">{yuan(amount)}</td>
                                <td class="font-mono text-xs">{cell(p, "transaction_id")}</td>
                                <td>{time(p.get("create_tms").unwrap_or(&Value::Null), t())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The vendor's next step for an order in `state`: ship a paid one, consent to a return,
/// refund one whose return was agreed, close an unpaid one.
#[component]
fn VendorSteps(order_id: String, state: OrderState, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let step = ServerAction::<AdvanceOrder>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = step.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let id = StoredValue::new(order_id);
    let run = move |s: OrderStep, delivery: Delivery| {
        step.dispatch(AdvanceOrder { order_id: id.get_value(), step: s, delivery, reason: String::new() });
    };
    let (company, tracking, clerk) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let body = match state {
        OrderState::Paid => view! {
            <form class="grid gap-3 md:grid-cols-4" data-testid="ship-form" on:submit=move |ev| {
                ev.prevent_default();
                run(OrderStep::Ship, Delivery { company: company.get(), tracking_num: tracking.get(), delivery_clerk: clerk.get() });
            }>
                <TextField label=Signal::derive(move || t().field_label("delivery", "company").to_string()) value=company name="company"/>
                <TextField label=Signal::derive(move || t().field_label("delivery", "tracking_num").to_string()) value=tracking name="tracking_num"/>
                <TextField label=Signal::derive(move || t().field_label("delivery", "delivery_clerk").to_string()) value=clerk name="delivery_clerk"/>
                <button type="submit" data-testid="ship" disabled=move || step.pending().get()
                    class="self-end rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-60">{move || t().shop.ship}</button>
            </form>
        }
        .into_any(),
        OrderState::Return => confirm_step(OrderStep::Consent, |t| t.shop.consent, |t| t.shop.consent_confirm, "consent", Callback::new(move |s| run(s, Delivery::default()))),
        OrderState::Consent => confirm_step(OrderStep::Refund, |t| t.shop.refund, |t| t.shop.refund_confirm, "refund", Callback::new(move |s| run(s, Delivery::default()))),
        OrderState::Obligation => confirm_step(OrderStep::Close, |t| t.shop.close_order, |t| t.shop.close_confirm, "close-order", Callback::new(move |s| run(s, Delivery::default()))),
        _ => ().into_any(),
    };
    view! {
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5" data-testid="order-steps">
            {body}
            {move || step.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
        </section>
    }
}

fn confirm_step(
    step: OrderStep,
    label: fn(&Texts) -> &'static str,
    message: fn(&Texts) -> &'static str,
    testid: &'static str,
    run: Callback<OrderStep>,
) -> AnyView {
    let i18n = use_i18n();
    view! {
        <ConfirmButton label=Signal::derive(move || label(i18n.t()).to_string())
            message=Signal::derive(move || message(i18n.t()).to_string())
            on_confirm=Callback::new(move |_| run.run(step)) testid=testid danger=matches!(step, OrderStep::Refund | OrderStep::Close)/>
    }
    .into_any()
}

fn payment_order_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    order_link(OrdersOf::Corp, row, t)
}

/// `/corp/payments`: every payment and refund, newest first, each leading to its order.
#[component]
pub fn CorpPaymentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let cols = rendered(
        rendered(rendered(Column::all_of(&Payment::RESOURCE), "amount", money_cell), "kind", |v, t| {
            t.shop.payment_kind_name(v.as_str().unwrap_or("")).to_owned()
        }),
        "status",
        |v, t| t.shop.payment_status_name(v.as_str().unwrap_or("")).to_owned(),
    );
    let state = TableState::new(&cols, "order_id").keyed_by("payment_id").hiding(&["vid", "note", "finish_tms"]);
    let page = Resource::new(move || state.request(), list_payments);
    view! {
        {crate::components::page_title(|t| t.shop.payments.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || i18n.t().shop.payments}</h1>
        <FilterBuilder fields=BuilderField::all_of(&Payment::RESOURCE) state=state/>
        <DataTable columns=cols state=state page=page actions=payment_order_link testid="payments-table"/>
    }
}
