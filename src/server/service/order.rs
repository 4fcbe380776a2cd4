//! Orders (订单, seed 003 AD-01..06, AD-11..15; OPS-CONTRACT.md "Orders and money").
//!
//! An end user orders merchandise of its vendor that is on sale; prices, freight, installation,
//! deposit and rent are copied into the order's lines, so catalogue edits never change it. The
//! state moves obligation → paid → delivered → received → done, or received → return → consent
//! → refund, or obligation → close; every change is one compare-and-set on the state (an order
//! in another state answers 422 and changes nothing).
//!
//! Who sees what: the platform every order; the vendor's members who view orders (1801) the
//! vendor's; a dealer those of the users in its scope and below; a user its own. An order the
//! platform deleted (AD-15) is hidden from all but the platform and kept for the accounts.

use std::collections::HashMap;

use sea_query::{Alias, Expr};
use serde_json::{json, Map, Value};

use crate::{
    model::{
        error::codes,
        list::Page,
        merchandise::{billing, Merchandise, MerchandiseState, Rent},
        order::{Delivery, NewOrder, Order, OrderLine, OrderState, Receiver},
        permission::{MANAGE_ORDERS, READ_ORDERS},
        validate,
        vendor::Area,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::{day, now_ms},
        db::{Sql, Tx},
        error::{ApiError, Error, Result},
        list::{self, ListQuery, MAX_IN},
        scope::{dealer_chain, Scope},
        service::{commission, payment, permission, vendor},
        state::Ctx,
    },
};

/// The most one order may come to (fen): a hundred million yuan.
const MAX_TOTAL: i64 = 10_000_000_000;
const MAX_LINES: usize = 20;
const MAX_QUANTITY: i64 = 99;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// The orders `principal` may read, as a scope of `orders`.
fn readable(principal: &Principal) -> Result<Scope> {
    let shown = || col("hidden_time").is_null();
    Ok(match principal {
        Principal::Platform(_) => Scope::every_corp(),
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_ORDERS)?.corp_id).and(shown()),
        Principal::Dealer(d) => Scope::corp(&d.corp_id).and(dealer_chain(&d.scope)).and(shown()),
        Principal::EndUser(u) => Scope::corp(&u.corp_id).and(col("user_id").eq(u.user_id)).and(shown()),
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) | Principal::Engineer(_) => {
            return Err(ApiError::forbidden().into())
        }
    })
}

fn not_found() -> Error {
    ApiError::new(codes::ORDER_NOT_FOUND, "order not found").into()
}

fn wrong_state(state: OrderState, what: &str) -> Error {
    ApiError::new(codes::ORDER_STATE, format!("an order in state {} cannot be {what}", state.code())).into()
}

/// AD-01: the orders `principal` may see, newest first unless sorted, each with its lines.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Orders).await?;
    let query = query.clone().sorted_by_default(&list::ROW_ID, list::Dir::Desc);
    let mut page = list::run(&ctx.db, &Order::RESOURCE, &query, scope).await?;
    let ids: Vec<String> =
        page.list.iter().filter_map(|row| row.get("order_id").and_then(Value::as_str).map(str::to_owned)).collect();
    let mut lines = lines_of(ctx, &ids).await?;
    for row in &mut page.list {
        let id = row.get("order_id").and_then(Value::as_str).unwrap_or_default().to_owned();
        row.insert("content".into(), json!(lines.remove(&id).unwrap_or_default()));
    }
    Ok(page)
}

/// The lines of the orders `ids`, by order.
async fn lines_of(ctx: &Ctx, ids: &[String]) -> Result<HashMap<String, Vec<OrderLine>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        order_id: String,
        prod_id: String,
        name: String,
        quantity: i64,
        price: i64,
        freight: i64,
        install_cost: i64,
        deposit: i64,
        rent_plan: String,
        rent: i64,
    }
    let mut by_order: HashMap<String, Vec<OrderLine>> = HashMap::new();
    for chunk in ids.chunks(MAX_IN) {
        let select = sea_query::Query::select()
            .columns(
                [
                    "order_id",
                    "prod_id",
                    "name",
                    "quantity",
                    "price",
                    "freight",
                    "install_cost",
                    "deposit",
                    "rent_plan",
                    "rent",
                ]
                .map(Alias::new),
            )
            .from(Alias::new("order_lines"))
            .and_where(col("order_id").is_in(chunk.to_vec()))
            .order_by(Alias::new("order_id"), sea_query::Order::Asc)
            .order_by(Alias::new("line"), sea_query::Order::Asc)
            .to_owned();
        let rows: Vec<Row> = ctx.db.fetch_all(&select).await?;
        for r in rows {
            by_order.entry(r.order_id).or_default().push(OrderLine {
                product_id: r.prod_id,
                name: r.name,
                quantity: r.quantity,
                price: r.price,
                freight: r.freight,
                install_cost: r.install_cost,
                deposit: r.deposit,
                rent_plan: r.rent_plan,
                rent: r.rent,
            });
        }
    }
    Ok(by_order)
}

/// The order `order_id` as `principal` may read it (404 outside its scope).
pub async fn find(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Order> {
    let scope = readable(principal)?.and(col("order_id").eq(order_id.to_owned()));
    vendor::require_caller_area(ctx, principal, Area::Orders).await?;
    let select = list::select_records(&Order::RESOURCE, scope);
    ctx.db.fetch_record(&select, &Order::RESOURCE).await?.ok_or_else(not_found)
}

/// AD-03: an order with its lines (`content`).
pub async fn get(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Map<String, Value>> {
    let order = find(ctx, principal, order_id).await?;
    with_lines(ctx, order).await
}

async fn with_lines(ctx: &Ctx, order: Order) -> Result<Map<String, Value>> {
    let mut lines = lines_of(ctx, std::slice::from_ref(&order.order_id)).await?;
    let content = lines.remove(&order.order_id).unwrap_or_default();
    let Value::Object(mut row) = serde_json::to_value(&order).map_err(|e| Error::Internal(Box::new(e)))? else {
        return Err(Error::internal("an order is an object"));
    };
    row.insert("content".into(), json!(content));
    Ok(row)
}

/// AD-04: how the order was shipped (empty fields before it was).
pub async fn delivery(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Value> {
    let order = find(ctx, principal, order_id).await?;
    let mut d = order.delivery;
    if let Value::Object(map) = &mut d {
        map.insert("delivery_tms".into(), json!(order.delivery_tms));
    }
    Ok(d)
}

/// A line priced from its merchandise, and what it adds to the order's amounts.
struct Priced {
    line: OrderLine,
    billing: i64,
    commis: Value,
    /// The serial of the device whose lease the line renews.
    renews: Option<String>,
}

/// Prices one wanted line from the merchandise as it is now.
fn price(m: &Merchandise, quantity: i64, plan: &str) -> Result<Priced, ApiError> {
    let times = |v: i64, field: &str| {
        v.checked_mul(quantity).filter(|t| *t <= MAX_TOTAL).ok_or_else(|| ApiError::invalid(field, "too large"))
    };
    let install_cost = if m.install { times(m.install_cost, "content.quantity")? } else { 0 };
    let mut line = OrderLine {
        product_id: m.prod_id.clone(),
        name: m.name.clone(),
        quantity,
        price: m.price,
        freight: m.freight,
        install_cost,
        deposit: 0,
        rent_plan: String::new(),
        rent: 0,
    };
    if plan.is_empty() {
        if m.billing & (billing::SALE | billing::VENDING) == 0 {
            return Err(ApiError::invalid("content.plan", &format!("{} is rented: choose a rent plan", m.prod_id)));
        }
    } else {
        if !billing::is_rental(m.billing) {
            return Err(ApiError::invalid("content.plan", &format!("{} is not rented out", m.prod_id)));
        }
        let rent: Rent = serde_json::from_value(m.rent.clone()).unwrap_or_default();
        let chosen = rent
            .config
            .iter()
            .find(|p| p.key == plan)
            .ok_or_else(|| ApiError::invalid("content.plan", &format!("{} has no rent plan {plan}", m.prod_id)))?;
        line.price = 0;
        line.rent_plan = chosen.key.clone();
        line.rent = times(chosen.value, "content.quantity")?;
        line.deposit = times(rent.deposit, "content.quantity")?;
    }
    Ok(Priced { line, billing: m.billing, commis: m.commis.clone(), renews: None })
}

fn receiver(r: &Receiver) -> Result<Receiver, ApiError> {
    Ok(Receiver {
        name: validate::text("receiver.name", &r.name, 32)?,
        phone: validate::phone("receiver.phone", &r.phone)?,
        area: validate::text("receiver.area", &r.area, 64)?,
        address: validate::text("receiver.address", &r.address, 128)?,
        zipcode: validate::optional_text("receiver.zipcode", &r.zipcode, 10)?,
    })
}

/// Renews the lease of the signed-in user's device `serial` with the plan it was rented on: a new
/// order (a renewal line: rent only) to the first order's receiver. Answers the new order's id,
/// to pay as any order. Whether the lease may be renewed is [`create`]'s to decide.
pub async fn renew_lease(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<String> {
    let device = crate::server::service::in_service::get(ctx, principal, serial).await?;
    let lease = device.service.lease.ok_or_else(|| ApiError::invalid("device_id", "this device is not rented"))?;
    let first = get(ctx, principal, &lease.order_id).await?;
    let receiver: crate::model::order::Receiver =
        first.get("receiver").cloned().and_then(|r| serde_json::from_value(r).ok()).unwrap_or_default();
    let plan = first
        .get("content")
        .and_then(Value::as_array)
        .and_then(|lines| lines.iter().find(|l| l["product_id"] == device.manufacture.product_id.as_str()))
        .and_then(|l| l["rent_plan"].as_str())
        .unwrap_or_default()
        .to_owned();
    let input = NewOrder {
        content: vec![crate::model::order::Wanted {
            product_id: device.manufacture.product_id.clone(),
            quantity: 1,
            plan,
            device_id: serial.to_owned(),
        }],
        receiver,
        memo: String::new(),
    };
    let created = create(ctx, principal, input).await?;
    Ok(created.get("order_id").and_then(Value::as_str).unwrap_or_default().to_owned())
}

/// AD-02: a user orders merchandise of its vendor that is on sale. Answers the order.
pub async fn create(ctx: &Ctx, principal: &Principal, input: NewOrder) -> Result<Map<String, Value>> {
    let Principal::EndUser(me) = principal else {
        return Err(ApiError::new(codes::FORBIDDEN, "orders are made by users").into());
    };
    vendor::require_area(ctx, &me.corp_id, Area::Orders).await?;
    vendor::require_area(ctx, &me.corp_id, Area::Mall).await?;
    if input.content.is_empty() {
        return Err(ApiError::missing("content").into());
    }
    if input.content.len() > MAX_LINES {
        return Err(ApiError::invalid("content", "at most 20 lines").into());
    }
    let receiver = receiver(&input.receiver)?;
    let memo = validate::optional_text("memo", &input.memo, 256)?;
    let mut seen = std::collections::HashSet::new();
    for w in &input.content {
        if !(1..=MAX_QUANTITY).contains(&w.quantity) {
            return Err(ApiError::invalid("content.quantity", "1-99").into());
        }
        if !seen.insert((w.product_id.trim(), w.plan.trim(), w.device_id.trim())) {
            return Err(ApiError::invalid("content", &format!("{} is given twice", w.product_id)).into());
        }
    }

    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let mut lines = Vec::with_capacity(input.content.len());
    for w in &input.content {
        let m = on_sale(&mut tx, &me.corp_id, w.product_id.trim()).await?;
        let mut priced = price(&m, w.quantity, w.plan.trim())?;
        if !w.device_id.trim().is_empty() {
            renewal(&mut tx, me.user_id, &m, w.device_id.trim(), &mut priced).await?;
        }
        lines.push(priced);
    }
    let sum = |f: fn(&OrderLine) -> i64| lines.iter().map(|p| f(&p.line)).sum::<i64>();
    let goods = sum(|l| l.price * l.quantity);
    let (freight, install_fee, deposit, rent) =
        (sum(|l| l.freight), sum(|l| l.install_cost), sum(|l| l.deposit), sum(|l| l.rent));
    let total = goods + freight + install_fee + deposit + rent;
    if total > MAX_TOTAL {
        return Err(ApiError::invalid("content", "the order comes to more than 100000000 yuan").into());
    }
    let (scope,): (Option<String>,) =
        tx.fetch_one(&Sql::new("SELECT dealer_scope FROM end_users WHERE id = $1").bind(me.user_id)).await?;
    let (serial, code): (i64, String) = tx
        .fetch_one(
            &Sql::new(
                "UPDATE corps SET order_serial = order_serial + 1 WHERE id = $1 RETURNING order_serial, vendor_code",
            )
            .bind(me.corp_id.clone()),
        )
        .await?;
    let order_id = format!("{}{code}{serial:012}", day(now.div_euclid(86_400_000)).replace('-', ""));
    tx.execute(
        &Sql::new(
            "INSERT INTO orders (order_id, corp_id, user_id, uid, dealer_scope, state, goods, freight, install_fee, \
             deposit, rent, total, receiver, memo, create_time, update_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(order_id.clone())
        .bind(me.corp_id.clone())
        .bind(me.user_id)
        .bind(me.uid.clone())
        .bind(scope)
        .bind(OrderState::Obligation.code())
        .bind(goods)
        .bind(freight)
        .bind(install_fee)
        .bind(deposit)
        .bind(rent)
        .bind(total)
        .bind(serde_json::to_string(&receiver).unwrap_or_else(|_| "{}".into()))
        .bind(memo)
        .bind(now),
    )
    .await?;
    for (n, p) in lines.iter().enumerate() {
        let l = &p.line;
        tx.execute(
            &Sql::new(
                "INSERT INTO order_lines (order_id, line, prod_id, name, quantity, price, freight, install_cost, \
                 deposit, rent_plan, rent, billing, commis, renews) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(order_id.clone())
            .bind(n as i64 + 1)
            .bind(l.product_id.clone())
            .bind(l.name.clone())
            .bind(l.quantity)
            .bind(l.price)
            .bind(l.freight)
            .bind(l.install_cost)
            .bind(l.deposit)
            .bind(l.rent_plan.clone())
            .bind(l.rent)
            .bind(p.billing)
            .bind(p.commis.to_string())
            .bind(p.renews.clone()),
        )
        .await?;
    }
    let facts = json!({ "total": total, "lines": lines.len() });
    audit::record(&mut tx, principal, "order.create", "order", &order_id, Change::noted(facts)).await?;
    tx.commit().await?;
    get(ctx, principal, &order_id).await
}

/// A line that renews the lease of the user's device `serial`: it must rent that merchandise
/// now (an open lease); it pays the plan's rent alone (no deposit, installation or freight).
async fn renewal(tx: &mut Tx, user_id: i64, m: &Merchandise, serial: &str, p: &mut Priced) -> Result<()> {
    if p.line.rent_plan.is_empty() {
        return Err(ApiError::invalid("content.plan", "a renewal chooses a rent plan").into());
    }
    let found: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new(format!(
                "SELECT l.id FROM leases l JOIN devices d ON d.id = l.device_id WHERE d.serial = $1 AND l.user_id = $2 \
                 AND l.prod_id = $3 AND l.state <> 3 AND NOT {}",
                crate::server::service::ticket::REMOVAL_UNDER_WAY
            ))
            .bind(serial.to_owned())
            .bind(user_id)
            .bind(m.prod_id.clone()),
        )
        .await?;
    if found.is_none() {
        return Err(ApiError::invalid(
            "content.device_id",
            &format!("you rent no device {serial} of {} (or it is being removed)", m.prod_id),
        )
        .into());
    }
    p.line.deposit = 0;
    p.line.install_cost = 0;
    p.line.freight = 0;
    p.renews = Some(serial.to_owned());
    Ok(())
}

/// The merchandise `prod_id` of the vendor, if it is on sale (422 otherwise: the user cannot
/// order it, whatever the reason).
async fn on_sale(tx: &mut Tx, vid: &str, prod_id: &str) -> Result<Merchandise> {
    let scope = Scope::corp(vid)
        .and(col("prod_id").eq(prod_id.to_owned()))
        .and(col("state").eq(MerchandiseState::OnSale.code()));
    let select = list::select_records(&Merchandise::RESOURCE, scope);
    tx.fetch_record(&select, &Merchandise::RESOURCE)
        .await?
        .ok_or_else(|| ApiError::invalid("content.product_id", &format!("{prod_id} is not on sale")).into())
}

/// Who may act on an order as the vendor: its members who manage orders (1802).
fn vendor_side(principal: &Principal) -> Result<(), ApiError> {
    permission::require(principal, MANAGE_ORDERS).map(drop)
}

/// Who may ship: the vendor's order managers, or a dealer whose scope holds the order.
fn shipper(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::Dealer(_) => Ok(()),
        _ => vendor_side(principal),
    }
}

/// The user who made the order.
fn owner(principal: &Principal, order: &Order) -> Result<(), ApiError> {
    match principal {
        Principal::EndUser(u) if u.uid == order.uid => Ok(()),
        _ => Err(ApiError::new(codes::FORBIDDEN, "only the user who ordered may do this")),
    }
}

/// One state change: from, to, and its name in the audit log (`order.{action}`).
struct Step {
    from: OrderState,
    to: OrderState,
    action: &'static str,
}

impl Step {
    /// The compare-and-set: `state` = `to` (`$1`) and `update_time` = now (`$2`), then
    /// `assignments` whose `extra` values (`$3`…) `values` binds, where the order is still in
    /// `from`.
    fn sql(&self, assignments: &str, extra: usize, now: i64, values: impl FnOnce(Sql) -> Sql) -> Sql {
        let assignments = if assignments.is_empty() { String::new() } else { format!(", {assignments}") };
        let sql = Sql::new(format!(
            "UPDATE orders SET state = $1, update_time = $2{assignments} WHERE order_id = ${} AND state = ${}",
            3 + extra,
            4 + extra
        ))
        .bind(self.to.code())
        .bind(now);
        values(sql)
    }

    /// Runs `set` (made by [`Step::sql`]) on `order` with an audit record, in one transaction;
    /// 422 when the order is not in `from` (or another change came first).
    async fn run(&self, ctx: &Ctx, principal: &Principal, order: &Order, set: Sql, facts: Value) -> Result<()> {
        Ok(self.begin(ctx, principal, order, set, facts).await?.commit().await?)
    }

    /// [`Step::run`], leaving its transaction open for what goes with the change.
    async fn begin(&self, ctx: &Ctx, principal: &Principal, order: &Order, set: Sql, facts: Value) -> Result<Tx> {
        if order.state != self.from {
            return Err(wrong_state(order.state, self.action));
        }
        let mut tx = ctx.db.begin().await?;
        let changed = tx.execute(&set.bind(order.order_id.clone()).bind(self.from.code())).await?;
        if changed == 0 {
            return Err(wrong_state(order.state, self.action));
        }
        let change = Change::noted(facts).with("state", json!({ "from": self.from.code(), "to": self.to.code() }));
        audit::record(&mut tx, principal, &format!("order.{}", self.action), "order", &order.order_id, change).await?;
        Ok(tx)
    }
}

const SHIP: Step = Step { from: OrderState::Paid, to: OrderState::Delivered, action: "ship" };
const CONFIRM: Step = Step { from: OrderState::Delivered, to: OrderState::Received, action: "confirm" };
const RETURN: Step = Step { from: OrderState::Received, to: OrderState::Return, action: "return" };
const CONSENT: Step = Step { from: OrderState::Return, to: OrderState::Consent, action: "consent" };
const REFUND: Step = Step { from: OrderState::Consent, to: OrderState::Refund, action: "refund" };
const CLOSE: Step = Step { from: OrderState::Obligation, to: OrderState::Close, action: "close" };

/// AD-05: ships a paid order with its delivery information.
pub async fn ship(ctx: &Ctx, principal: &Principal, order_id: &str, d: Delivery) -> Result<Map<String, Value>> {
    shipper(principal)?;
    let order = find(ctx, principal, order_id).await?;
    let d = delivery_checked(&d)?;
    let now = now_ms();
    let text = serde_json::to_string(&d).unwrap_or_else(|_| "{}".into());
    let set = SHIP.sql("delivery = $3, delivery_time = $2", 1, now, |s| s.bind(text));
    SHIP.run(ctx, principal, &order, set, json!(d)).await?;
    get(ctx, principal, order_id).await
}

/// AD-06: corrects the delivery information of a shipped order (the vendor's customer service).
pub async fn edit_delivery(
    ctx: &Ctx,
    principal: &Principal,
    order_id: &str,
    d: Delivery,
) -> Result<Map<String, Value>> {
    vendor_side(principal)?;
    let order = find(ctx, principal, order_id).await?;
    if order.delivery_tms.is_none() {
        return Err(wrong_state(order.state, "given delivery corrections before it ships"));
    }
    let d = delivery_checked(&d)?;
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new("UPDATE orders SET delivery = $1, update_time = $2 WHERE order_id = $3")
            .bind(serde_json::to_string(&d).unwrap_or_else(|_| "{}".into()))
            .bind(now_ms())
            .bind(order.order_id.clone()),
    )
    .await?;
    let change = Change::noted(json!({ "delivery": { "from": order.delivery, "to": d } }));
    audit::record(&mut tx, principal, "order.delivery", "order", &order.order_id, change).await?;
    tx.commit().await?;
    get(ctx, principal, order_id).await
}

fn delivery_checked(d: &Delivery) -> Result<Delivery, ApiError> {
    Ok(Delivery {
        company: validate::text("company", &d.company, 64)?,
        tracking_num: validate::text("tracking_num", &d.tracking_num, 64)?,
        delivery_clerk: validate::optional_text("delivery_clerk", &d.delivery_clerk, 32)?,
    })
}

/// AD-11: the user confirms receipt of a shipped order.
pub async fn confirm(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Map<String, Value>> {
    let order = find(ctx, principal, order_id).await?;
    owner(principal, &order)?;
    let set = CONFIRM.sql("receive_time = $2", 0, now_ms(), |s| s);
    CONFIRM.run(ctx, principal, &order, set, json!({})).await?;
    get(ctx, principal, order_id).await
}

/// AD-12: the user asks to return a received order, within the return window.
pub async fn ask_return(ctx: &Ctx, principal: &Principal, order_id: &str, reason: &str) -> Result<Map<String, Value>> {
    let order = find(ctx, principal, order_id).await?;
    owner(principal, &order)?;
    let reason = validate::optional_text("reason", reason, 256)?;
    let now = now_ms();
    let window = ctx.config.order_return_window.as_millis() as i64;
    let received = order.receive_tms.as_deref().and_then(crate::server::clock::parse_iso);
    if order.state == OrderState::Received && received.is_some_and(|t| now > t + window) {
        return Err(ApiError::new(codes::ORDER_STATE, "the return window of this order has passed").into());
    }
    let facts = json!({ "reason": reason });
    let set = RETURN.sql("return_time = $2, return_reason = $3", 1, now, |s| s.bind(reason));
    RETURN.run(ctx, principal, &order, set, facts).await?;
    get(ctx, principal, order_id).await
}

/// AD-13: the vendor agrees to a return.
pub async fn consent(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Map<String, Value>> {
    vendor_side(principal)?;
    let order = find(ctx, principal, order_id).await?;
    let set = CONSENT.sql("consent_time = $2", 0, now_ms(), |s| s);
    CONSENT.run(ctx, principal, &order, set, json!({})).await?;
    get(ctx, principal, order_id).await
}

/// AD-14: the returned goods are back; what was paid goes back through its provider. The refund
/// is recorded in the same step as the state change; a real provider is asked once that step has
/// committed (and by the refund job until it answers), never while it is open.
pub async fn refund(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Map<String, Value>> {
    vendor_side(principal)?;
    let order = find(ctx, principal, order_id).await?;
    let set = REFUND.sql("refund_time = $2", 0, now_ms(), |s| s);
    let mut tx = REFUND.begin(ctx, principal, &order, set, json!({ "amount": order.total })).await?;
    // A rented device holds the deposit until its removal: checked inside the step, so an
    // install finishing meanwhile is seen too (the step is then rolled back).
    let leased: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new("SELECT id FROM leases WHERE order_id = $1 AND state <> 3").bind(order.order_id.clone()),
        )
        .await?;
    if leased.is_some() {
        return Err(ApiError::new(
            codes::ORDER_STATE,
            "this order's device is installed and rented: a removal ends its lease and returns the deposit",
        )
        .into());
    }
    let paid = payment::paid_total(&mut tx, &order.order_id).await?;
    let refund = payment::refund_in(&mut tx, &order.order_id, &paid, "returned").await?;
    commission::reverse(&mut tx, &order.order_id, now_ms()).await?;
    crate::server::service::ticket::cancel_installs(&mut tx, &order.order_id, now_ms()).await?;
    tx.commit().await?;
    refund.send(ctx).await;
    get(ctx, principal, order_id).await
}

/// Closes an unpaid order: the user who made it, or the vendor's order managers.
pub async fn close(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Map<String, Value>> {
    let order = find(ctx, principal, order_id).await?;
    match principal {
        Principal::EndUser(_) => owner(principal, &order)?,
        _ => vendor_side(principal)?,
    }
    let set = CLOSE.sql("close_time = $2", 0, now_ms(), |s| s);
    CLOSE.run(ctx, principal, &order, set, json!({})).await?;
    get(ctx, principal, order_id).await
}

/// AD-15: the platform deletes an order: hidden from the vendor, its dealers and its user, kept
/// for the accounts. Only an order that is over (refunded, closed or done) may go.
pub async fn delete(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<()> {
    principal.platform()?;
    let order = find(ctx, principal, order_id).await?;
    if !matches!(order.state, OrderState::Refund | OrderState::Close | OrderState::Done) {
        return Err(wrong_state(order.state, "deleted (only refunded, closed or done orders are)"));
    }
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new("UPDATE orders SET hidden_time = $1 WHERE order_id = $2 AND hidden_time IS NULL")
            .bind(now_ms())
            .bind(order.order_id.clone()),
    )
    .await?;
    audit::record_in(
        &mut tx,
        principal,
        &order.vid,
        "order.delete",
        "order",
        &order.order_id,
        Change::noted(json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
