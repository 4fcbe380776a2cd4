//! Work orders (tickets; seed 003 五 AE-01..03, OPS-CONTRACT.md).
//!
//! A ticket is made by a user (exchange, return, fault), by the vendor or a dealer for a user,
//! or by the system: an install ticket for each unit of a paid order line that needs
//! installation, a maintenance ticket for a filter at its end, a removal ticket for a lease over
//! and not renewed. It moves created → reviewed → dispatched → processing → done (processing ⇄
//! awaiting response), or is cancelled before work starts; every change is one compare-and-set
//! on its status (another answers 422) and lands in its timeline.
//!
//! Who sees what: the platform every ticket; the vendor's members who view tickets (2001) the
//! vendor's; a dealer those of its scope and below; a user its own; an engineer those dispatched
//! to it. Who acts: the vendor's members who handle tickets (2002) and dealers in scope review,
//! dispatch, cancel and close; the engineer accepts, waits, resumes and finishes; the user opens,
//! cancels before review, and rates.
//!
//! What finishing does: an install binds the device installed to the user, fits its filters and,
//! for a rental, starts the lease; a maintenance resets its filter's life; a removal ends the
//! lease, releases the device and refunds the deposit less what the lease owes.

use sea_query::{Alias, Expr};
use serde_json::{json, Map, Value};

use crate::{
    model::{
        error::codes,
        in_service::{LeaseState, ServiceState},
        list::Page,
        merchandise::{billing, Rent},
        permission::{MANAGE_TICKETS, READ_TICKETS},
        ticket::{Dispatch, NewTicket, Ticket, TicketEvent, TicketStatus, TicketSummary, TicketType},
        validate,
        vendor::Area,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::{day, iso_seconds, now_ms, parse_iso, DAY_MS},
        db::{Sql, Tx},
        error::{ApiError, Error, Result},
        list::{self, ListQuery},
        scope::{dealer_chain, Scope},
        service::{
            in_service::{self, LeaseRow, LEASE_COLUMNS},
            payment, permission, vendor,
        },
        state::Ctx,
    },
};

const HOUR_MS: i64 = 3_600_000;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn not_found() -> Error {
    ApiError::new(codes::TICKET_NOT_FOUND, "ticket not found").into()
}

fn wrong_state(status: TicketStatus, what: &str) -> Error {
    ApiError::new(codes::TICKET_STATE, format!("a ticket in status {} cannot be {what}", status.code())).into()
}

/// The tickets `principal` may read, as a scope of `tickets`.
fn readable(principal: &Principal) -> Result<Scope> {
    Ok(match principal {
        Principal::Platform(_) => Scope::every_corp(),
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_TICKETS)?.corp_id),
        Principal::Dealer(d) => Scope::corp(&d.corp_id).and(dealer_chain(&d.scope)),
        Principal::EndUser(u) => Scope::corp(&u.corp_id).and(col("user_id").eq(u.user_id)),
        Principal::Engineer(e) => Scope::corp(&e.corp_id).and(col("engineer_id").eq(e.engineer_id)),
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) => return Err(ApiError::forbidden().into()),
    })
}

/// How the timeline names who acted.
fn actor(principal: &Principal) -> String {
    match principal {
        Principal::Member(m) => format!("member:{}", m.member_id),
        Principal::Dealer(d) => format!("dealer:{}", d.dealer_id),
        Principal::EndUser(u) => format!("user:{}", u.uid),
        Principal::Engineer(e) => format!("engineer:{}", e.engineer_id),
        Principal::Platform(a) => format!("platform:{}", a.admin_id),
        Principal::HeavyBuyer(h) => format!("heavy_buyer:{}", h.heavy_buyer_id),
        Principal::OrgUser(u) => format!("org_user:{}", u.user_id),
    }
}

/// The document's `approval` and `ratings` objects, added to a ticket's row.
fn nested(mut row: Map<String, Value>) -> Map<String, Value> {
    let approval = json!({
        "check_result": row.get("check_result").cloned().unwrap_or(Value::Null),
        "check_tms": row.get("check_tms").cloned().unwrap_or(Value::Null),
        "check_usr": row.get("check_usr").cloned().unwrap_or(Value::Null),
    });
    let ratings = json!({
        "rate_value": row.get("rate_value").cloned().unwrap_or(Value::Null),
        "rate_tms": row.get("rate_tms").cloned().unwrap_or(Value::Null),
        "rate_detail": row.get("rate_detail").cloned().unwrap_or(Value::Null),
    });
    row.insert("approval".into(), approval);
    row.insert("ratings".into(), ratings);
    row
}

/// AE-01: the tickets the caller may see, newest first unless sorted.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Tickets).await?;
    let query = query.clone().sorted_by_default(&list::ROW_ID, list::Dir::Desc);
    let mut page = list::run(&ctx.db, &Ticket::RESOURCE, &query, scope).await?;
    page.list = page.list.into_iter().map(nested).collect();
    Ok(page)
}

/// One ticket as `principal` may read it (404 outside its scope).
pub async fn find(ctx: &Ctx, principal: &Principal, ticket_id: &str) -> Result<Ticket> {
    let scope = readable(principal)?.and(col("ticket_id").eq(ticket_id.trim().to_owned()));
    vendor::require_caller_area(ctx, principal, Area::Tickets).await?;
    let select = list::select_records(&Ticket::RESOURCE, scope);
    ctx.db.fetch_record(&select, &Ticket::RESOURCE).await?.ok_or_else(not_found)
}

/// A ticket with the document's nested objects.
pub async fn get(ctx: &Ctx, principal: &Principal, ticket_id: &str) -> Result<Map<String, Value>> {
    let ticket = find(ctx, principal, ticket_id).await?;
    as_map(&ticket)
}

fn as_map(ticket: &Ticket) -> Result<Map<String, Value>> {
    match serde_json::to_value(ticket).map_err(|e| Error::Internal(Box::new(e)))? {
        Value::Object(row) => Ok(nested(row)),
        _ => Err(Error::internal("a ticket is an object")),
    }
}

/// A ticket's timeline, oldest first.
pub async fn timeline(ctx: &Ctx, principal: &Principal, ticket_id: &str) -> Result<Vec<TicketEvent>> {
    let ticket = find(ctx, principal, ticket_id).await?;
    let rows: Vec<(i64, String, String, i64, String)> = ctx
        .db
        .fetch_all(
            &Sql::new("SELECT time, action, actor, status, note FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
                .bind(ticket.ticket_id),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(time, action, actor, status, note)| TicketEvent { time: iso_seconds(time), action, actor, status, note })
        .collect())
}

/// AE-02: counts by status and type, open, overdue, and the average rating, in the caller's
/// scope.
pub async fn summary(ctx: &Ctx, principal: &Principal) -> Result<TicketSummary> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Tickets).await?;
    let select = sea_query::Query::select()
        .expr(col("status"))
        .expr(col("type"))
        .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
        .expr(Expr::cust("CAST(SUM(CASE WHEN overdue THEN 1 ELSE 0 END) AS BIGINT)"))
        .expr(Expr::cust("CAST(COUNT(rate_value) AS BIGINT)"))
        .expr(Expr::cust("CAST(COALESCE(SUM(rate_value), 0) AS BIGINT)"))
        .from(Alias::new("tickets"))
        .cond_where(scope.into_condition())
        .group_by_col(Alias::new("status"))
        .group_by_col(Alias::new("type"))
        .to_owned();
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = ctx.db.fetch_all(&select).await?;
    let mut s = TicketSummary::default();
    for status in std::iter::once(TicketStatus::Cancelled).chain(TicketStatus::BOARD) {
        s.by_status.insert(status.code().to_string(), 0);
    }
    for kind in TicketType::ALL {
        s.by_type.insert(kind.code().to_string(), 0);
    }
    let mut rating_sum = 0;
    for (status, kind, count, overdue, rated, rate_sum) in rows {
        s.total += count;
        *s.by_status.entry(status.to_string()).or_default() += count;
        *s.by_type.entry(kind.to_string()).or_default() += count;
        if TicketStatus::from_code(status).is_some_and(TicketStatus::is_open) {
            s.open += count;
            s.overdue += overdue;
        }
        s.rated += rated;
        rating_sum += rate_sum;
    }
    if s.rated > 0 {
        s.rating = (rating_sum as f64 / s.rated as f64 * 100.0).round() / 100.0;
    }
    Ok(s)
}

/// What a new ticket is made of, whoever makes it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub corp_id: String,
    pub kind: Option<TicketType>,
    pub source: &'static str,
    pub detail: String,
    pub user_id: Option<i64>,
    pub uid: String,
    pub device_id: Option<i64>,
    pub serial: String,
    pub order_id: Option<String>,
    pub order_line: Option<i64>,
    pub unit: Option<i64>,
    pub lease_id: Option<i64>,
    pub filter_order: Option<i64>,
    pub dealer_id: Option<i64>,
    pub dealer_scope: Option<String>,
    pub appoint_time: Option<i64>,
    pub address: String,
    pub lng: String,
    pub lat: String,
}

/// Inserts a ticket in `tx` and opens its timeline; `None` when a unique rule says it exists
/// already (one install per unit, one open maintenance per filter): never a duplicate.
pub async fn create_in(tx: &mut Tx, d: &Draft, actor: &str, now: i64) -> Result<Option<String>> {
    let kind = d.kind.ok_or_else(|| Error::internal("a ticket without its type"))?;
    let (serial, code): (i64, String) = tx
        .fetch_one(
            &Sql::new(
                "UPDATE corps SET ticket_serial = ticket_serial + 1 WHERE id = $1 RETURNING ticket_serial, vendor_code",
            )
            .bind(d.corp_id.clone()),
        )
        .await?;
    let ticket_id = format!("{}{code}{serial:012}", day(now.div_euclid(DAY_MS)).replace('-', ""));
    let (respond, resolve) = kind.targets();
    let inserted = tx
        .execute(
            &Sql::new(
                "INSERT INTO tickets (ticket_id, corp_id, type, status, source, detail, user_id, uid, device_id, serial, \
                 order_id, order_line, unit, lease_id, filter_order, dealer_id, dealer_scope, appoint_time, address, \
                 lng, lat, respond_due, resolve_due, create_time, update_time) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, \
                 $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(ticket_id.clone())
            .bind(d.corp_id.clone())
            .bind(kind.code())
            .bind(d.source.to_owned())
            .bind(d.detail.clone())
            .bind(d.user_id)
            .bind(d.uid.clone())
            .bind(d.device_id)
            .bind(d.serial.clone())
            .bind(d.order_id.clone())
            .bind(d.order_line)
            .bind(d.unit)
            .bind(d.lease_id)
            .bind(d.filter_order)
            .bind(d.dealer_id)
            .bind(d.dealer_scope.clone())
            .bind(d.appoint_time)
            .bind(d.address.clone())
            .bind(d.lng.clone())
            .bind(d.lat.clone())
            .bind(now + respond * HOUR_MS)
            .bind(now + resolve * HOUR_MS)
            .bind(now),
        )
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    event(tx, &ticket_id, now, "create", actor, TicketStatus::Created, &d.detail).await?;
    Ok(Some(ticket_id))
}

async fn event(
    tx: &mut Tx,
    ticket_id: &str,
    now: i64,
    action: &str,
    actor: &str,
    status: TicketStatus,
    note: &str,
) -> Result<()> {
    tx.execute(
        &Sql::new(
            "INSERT INTO ticket_events (ticket_id, time, action, actor, status, note) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ticket_id.to_owned())
        .bind(now)
        .bind(action.to_owned())
        .bind(actor.to_owned())
        .bind(status.code())
        .bind(note.to_owned()),
    )
    .await?;
    Ok(())
}

/// The user a device belongs to and where its service comes from, for a ticket about it.
#[derive(sqlx::FromRow)]
struct DeviceFacts {
    id: i64,
    serial: String,
    owner_id: Option<i64>,
    owner_uid: Option<String>,
    dealer_id: Option<i64>,
    dealer_scope: Option<String>,
    user_dealer_id: Option<i64>,
    user_dealer_scope: Option<String>,
    install_area: String,
    install_address: String,
    install_lng: String,
    install_lat: String,
}

async fn device_facts(tx: &mut Tx, device_id: i64) -> Result<DeviceFacts> {
    Ok(tx
        .fetch_one(
            &Sql::new(
                "SELECT d.id, d.serial, d.owner_id, u.uid AS owner_uid, d.dealer_id, d.dealer_scope, \
                 u.dealer_id AS user_dealer_id, u.dealer_scope AS user_dealer_scope, d.install_area, \
                 d.install_address, d.install_lng, d.install_lat \
                 FROM devices d LEFT JOIN end_users u ON u.id = d.owner_id WHERE d.id = $1",
            )
            .bind(device_id),
        )
        .await?)
}

/// A draft about a device: its owner, the dealer responsible (the device's, else its user's)
/// and its installation address.
async fn about_device(tx: &mut Tx, corp_id: &str, kind: TicketType, device_id: i64) -> Result<Draft> {
    let f = device_facts(tx, device_id).await?;
    let (dealer_id, dealer_scope) =
        if f.dealer_id.is_some() { (f.dealer_id, f.dealer_scope) } else { (f.user_dealer_id, f.user_dealer_scope) };
    Ok(Draft {
        corp_id: corp_id.to_owned(),
        kind: Some(kind),
        source: "system",
        user_id: f.owner_id,
        uid: f.owner_uid.unwrap_or_default(),
        device_id: Some(f.id),
        serial: f.serial,
        dealer_id,
        dealer_scope,
        address: format!("{}{}", f.install_area, f.install_address),
        lng: f.install_lng,
        lat: f.install_lat,
        ..Draft::default()
    })
}

/// AE-03: a user opens a ticket about its device (exchange, return, fault); the vendor's ticket
/// handlers or a dealer in scope may open any type for a device's user.
pub async fn open(ctx: &Ctx, principal: &Principal, input: NewTicket) -> Result<Map<String, Value>> {
    let kind = TicketType::from_code(input.kind).ok_or_else(|| ApiError::invalid("type", "1-6"))?;
    let detail = validate::text("detail", &input.detail, 512)?;
    let appoint = match input.appoint_tms.trim() {
        "" => None,
        t => Some(parse_iso(t).ok_or_else(|| ApiError::invalid("appoint_tms", "an ISO 8601 time"))?),
    };
    // Install, maintenance and removal tickets come from orders, filters and leases: made by
    // hand they would name no order line, filter or lease to act on.
    if !kind.user_may_open() {
        return Err(
            ApiError::invalid("type", "tickets opened by hand are exchange (2), return (3) or fault (4)").into()
        );
    }
    let source = match principal {
        Principal::EndUser(_) => "user",
        Principal::Dealer(_) => "dealer",
        _ => {
            permission::require(principal, MANAGE_TICKETS)?;
            "vendor"
        }
    };
    let device = in_service::find(ctx, principal, &input.device_id).await?;
    vendor::require_area(ctx, &device.corp_id, Area::Tickets).await?;
    if let Principal::EndUser(u) = principal {
        if device.owner_id != Some(u.user_id) {
            return Err(ApiError::new(codes::FORBIDDEN, "tickets about a device are opened by its owner").into());
        }
    }
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let mut draft = about_device(&mut tx, &device.corp_id, kind, device.id).await?;
    if draft.user_id.is_none() && !input.user_id.trim().is_empty() {
        let found: Option<(i64, String)> = tx
            .fetch_optional(
                &Sql::new(
                    "SELECT id, uid FROM end_users WHERE corp_id = $1 AND uid = $2 AND deregister_time IS NULL \
                     AND ($3 = '' OR (dealer_scope >= $3 AND dealer_scope < $4))",
                )
                .bind(device.corp_id.clone())
                .bind(input.user_id.trim().to_owned())
                .bind(principal.dealer_scope().to_owned())
                .bind(format!("{}-", principal.dealer_scope())),
            )
            .await?;
        let (id, uid) = found.ok_or_else(|| ApiError::new(codes::END_USER_NOT_FOUND, "the vendor has no such user"))?;
        draft.user_id = Some(id);
        draft.uid = uid;
    }
    draft.source = source;
    draft.detail = detail;
    draft.appoint_time = appoint;
    let ticket_id = create_in(&mut tx, &draft, &actor(principal), now)
        .await?
        .ok_or_else(|| ApiError::new(codes::TICKET_STATE, "an open ticket of this kind exists for this filter"))?;
    audit::record_in(
        &mut tx,
        principal,
        &device.corp_id,
        "ticket.create",
        "ticket",
        &ticket_id,
        Change::noted(json!({ "type": kind.code(), "device": device.serial })),
    )
    .await?;
    tx.commit().await?;
    get(ctx, principal, &ticket_id).await
}

/// The vendor's ticket handlers, or a dealer whose scope holds the ticket (it can read it).
fn manager(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::Dealer(_) | Principal::Platform(_) => Ok(()),
        _ => permission::require(principal, MANAGE_TICKETS).map(drop),
    }
}

/// The engineer the ticket was dispatched to.
fn assigned(principal: &Principal, t: &Ticket) -> Result<(), ApiError> {
    match principal {
        Principal::Engineer(e) if t.engineer_id == Some(e.engineer_id) => Ok(()),
        _ => Err(ApiError::new(codes::FORBIDDEN, "only the engineer the ticket was dispatched to may do this")),
    }
}

/// One change of status: from any of `from` to `to`, with `assignments` (placeholders from
/// `$4`), in one transaction with its timeline entry and audit record. 422 when the ticket is
/// not in `from` (or another change came first).
struct Step<'a> {
    from: &'a [TicketStatus],
    to: TicketStatus,
    action: &'static str,
}

impl Step<'_> {
    async fn begin(
        &self,
        ctx: &Ctx,
        principal: &Principal,
        t: &Ticket,
        assignments: &str,
        values: Vec<sea_query::Value>,
        note: &str,
    ) -> Result<Tx> {
        if !self.from.contains(&t.status) {
            return Err(wrong_state(t.status, self.action));
        }
        let now = now_ms();
        let from: Vec<String> = self.from.iter().map(|s| s.code().to_string()).collect();
        let assignments = if assignments.is_empty() { String::new() } else { format!(", {assignments}") };
        // An engineer acts only while the ticket is still its own (it may have been dispatched
        // again since it was read).
        let own = match principal {
            Principal::Engineer(e) => format!(" AND engineer_id = {}", e.engineer_id),
            _ => String::new(),
        };
        let mut sql = Sql::new(format!(
            "UPDATE tickets SET status = $1, update_time = $2{assignments} WHERE ticket_id = $3 AND status IN ({}){own}",
            from.join(", ")
        ))
        .bind(self.to.code())
        .bind(now)
        .bind(t.ticket_id.clone());
        for v in values {
            sql = sql.bind(v);
        }
        let mut tx = ctx.db.begin().await?;
        if tx.execute(&sql).await? == 0 {
            return Err(wrong_state(t.status, self.action));
        }
        event(&mut tx, &t.ticket_id, now, self.action, &actor(principal), self.to, note).await?;
        let change = Change::noted(json!({ "note": note }))
            .with("status", json!({ "from": t.status.code(), "to": self.to.code() }));
        audit::record_in(
            &mut tx,
            principal,
            &t.vid,
            &format!("ticket.{}", self.action),
            "ticket",
            &t.ticket_id,
            change,
        )
        .await?;
        Ok(tx)
    }
}

/// Reviews a created ticket: approved it is reviewed, refused it is cancelled; either way the
/// result, time and reviewer are recorded.
pub async fn review(
    ctx: &Ctx,
    principal: &Principal,
    ticket_id: &str,
    approve: bool,
    note: &str,
) -> Result<Map<String, Value>> {
    manager(principal)?;
    let t = find(ctx, principal, ticket_id).await?;
    let note = validate::optional_text("note", note, 512)?;
    let (to, action) = if approve { (TicketStatus::Reviewed, "review") } else { (TicketStatus::Cancelled, "refuse") };
    let step = Step { from: &[TicketStatus::Created], to, action };
    let now = now_ms();
    let mut tx = step
        .begin(
            ctx,
            principal,
            &t,
            "check_result = $4, check_time = $5, check_user = $6, cancel_time = CASE WHEN $4 THEN NULL ELSE $5 END",
            vec![approve.into(), now.into(), actor(principal).into()],
            &note,
        )
        .await?;
    if !approve {
        release_claims(&mut tx, &t).await?;
    }
    tx.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// An engineer a ticket may go to.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Candidate {
    id: i64,
    lng: String,
    lat: String,
    busy: i64,
}

/// The engineers nearest the ticket in the hierarchy: the dealer responsible's, else its upper
/// dealer's, and so up to the vendor's own.
async fn candidates(tx: &mut Tx, corp_id: &str, dealer_id: Option<i64>) -> Result<Vec<Candidate>> {
    let mut dealer = dealer_id;
    for _ in 0..32 {
        let rows: Vec<Candidate> = tx
            .fetch_all(
                &Sql::new(
                    "SELECT e.id, e.lng, e.lat, CAST((SELECT COUNT(*) FROM tickets t WHERE t.engineer_id = e.id \
                     AND t.status IN (3, 4, 5)) AS BIGINT) AS busy FROM engineers e \
                     WHERE e.corp_id = $1 AND e.status = 1 AND e.remove_time IS NULL \
                     AND (e.dealer_id = $2 OR ($2 IS NULL AND e.dealer_id IS NULL)) ORDER BY e.id",
                )
                .bind(corp_id.to_owned())
                .bind(dealer),
            )
            .await?;
        if !rows.is_empty() {
            return Ok(rows);
        }
        let Some(d) = dealer else { break };
        let up: Option<(Option<i64>,)> =
            tx.fetch_optional(&Sql::new("SELECT upper_dealer_id FROM dealers WHERE id = $1").bind(d)).await?;
        dealer = up.and_then(|(u,)| u);
    }
    Ok(Vec::new())
}

fn degrees(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The great-circle distance (km) between two points.
fn distance_km((lng1, lat1): (f64, f64), (lng2, lat2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

/// The engineer of `found` a dispatch picks: by location, the nearest to `at` (those without a
/// location last); by the hierarchy (or without a place), the least busy.
fn pick(found: &[Candidate], at: Option<(f64, f64)>, by_location: bool) -> Option<i64> {
    let least_busy = || found.iter().min_by_key(|c| (c.busy, c.id)).map(|c| c.id);
    match (by_location, at) {
        (true, Some(at)) => found
            .iter()
            .map(|c| {
                let d = degrees(&c.lng).zip(degrees(&c.lat)).map(|p| distance_km(p, at)).unwrap_or(f64::MAX);
                (d, c.busy, c.id)
            })
            .min_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
            .map(|(_, _, id)| id),
        _ => least_busy(),
    }
}

/// Dispatches a reviewed ticket to an engineer: the one named (of the vendor, or the dealer's
/// own for a dealer), or one found by the hierarchy or by location.
pub async fn dispatch(ctx: &Ctx, principal: &Principal, ticket_id: &str, d: Dispatch) -> Result<Map<String, Value>> {
    manager(principal)?;
    let t = find(ctx, principal, ticket_id).await?;
    let by_location = match d.mode.trim() {
        "" | "hierarchy" => false,
        "location" => true,
        _ => return Err(ApiError::invalid("mode", "hierarchy or location").into()),
    };
    let engineer = {
        let mut tx = ctx.db.begin_read().await?;
        let chosen = match d.engineer_id {
            Some(id) => {
                let found: Option<(i64, Option<i64>)> = tx
                    .fetch_optional(
                        &Sql::new(
                            "SELECT id, dealer_id FROM engineers WHERE id = $1 AND corp_id = $2 AND status = 1 \
                             AND remove_time IS NULL",
                        )
                        .bind(id)
                        .bind(t.vid.clone()),
                    )
                    .await?;
                match (found, principal) {
                    (Some((_, dealer)), Principal::Dealer(me)) if dealer != Some(me.dealer_id) => None,
                    (found, _) => found.map(|(id, _)| id),
                }
                .ok_or_else(|| ApiError::new(codes::ENGINEER_NOT_FOUND, "engineer not found"))?
            }
            None => {
                let (lng, lat) = ticket_place(&mut tx, &t).await?;
                let at = degrees(&lng).zip(degrees(&lat));
                let found = candidates(&mut tx, &t.vid, t.dealer_id).await?;
                pick(&found, at, by_location).ok_or_else(|| {
                    ApiError::new(codes::NO_ENGINEER, "no engineer is registered where this ticket can go")
                })?
            }
        };
        drop(tx);
        chosen
    };
    let step = Step { from: &[TicketStatus::Reviewed], to: TicketStatus::Dispatched, action: "dispatch" };
    let note = format!("engineer:{engineer}");
    let mut tx =
        step.begin(ctx, principal, &t, "engineer_id = $4, dispatch_time = $2", vec![engineer.into()], &note).await?;
    // Removed or disabled since it was chosen: the step is undone.
    let still: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new("SELECT id FROM engineers WHERE id = $1 AND status = 1 AND remove_time IS NULL").bind(engineer),
        )
        .await?;
    if still.is_none() {
        return Err(ApiError::new(codes::ENGINEER_NOT_FOUND, "engineer not found").into());
    }
    tx.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// Where a ticket's work is (its coordinates, '' when unknown).
async fn ticket_place(tx: &mut Tx, t: &Ticket) -> Result<(String, String)> {
    Ok(tx.fetch_one(&Sql::new("SELECT lng, lat FROM tickets WHERE ticket_id = $1").bind(t.ticket_id.clone())).await?)
}

/// The engineer accepts a ticket dispatched to it: work starts.
pub async fn accept(ctx: &Ctx, principal: &Principal, ticket_id: &str) -> Result<Map<String, Value>> {
    let t = find(ctx, principal, ticket_id).await?;
    assigned(principal, &t)?;
    let step = Step { from: &[TicketStatus::Dispatched], to: TicketStatus::Processing, action: "accept" };
    step.begin(ctx, principal, &t, "accept_time = $2", vec![], "").await?.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// The engineer waits on the user or on parts (awaiting response), with a note.
pub async fn wait(ctx: &Ctx, principal: &Principal, ticket_id: &str, note: &str) -> Result<Map<String, Value>> {
    let t = find(ctx, principal, ticket_id).await?;
    assigned(principal, &t)?;
    let note = validate::optional_text("note", note, 512)?;
    let step = Step { from: &[TicketStatus::Processing], to: TicketStatus::Awaiting, action: "wait" };
    step.begin(ctx, principal, &t, "", vec![], &note).await?.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// The engineer takes an awaiting ticket up again.
pub async fn resume(ctx: &Ctx, principal: &Principal, ticket_id: &str) -> Result<Map<String, Value>> {
    let t = find(ctx, principal, ticket_id).await?;
    assigned(principal, &t)?;
    let step = Step { from: &[TicketStatus::Awaiting], to: TicketStatus::Processing, action: "resume" };
    step.begin(ctx, principal, &t, "", vec![], "").await?.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// How a ticket was finished: a note, and for an install the serial of the device installed
/// (when the ticket names none yet).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Finish {
    pub note: String,
    pub device_id: String,
}

/// Finishes a ticket: the engineer it was dispatched to (processing), or the vendor's ticket
/// handlers or a dealer in scope closing it (dispatched, processing or awaiting). What the work
/// means follows in the same step (see the module's comment).
pub async fn finish(ctx: &Ctx, principal: &Principal, ticket_id: &str, f: Finish) -> Result<Map<String, Value>> {
    let t = find(ctx, principal, ticket_id).await?;
    let from: &[TicketStatus] = match principal {
        Principal::Engineer(_) => {
            assigned(principal, &t)?;
            &[TicketStatus::Processing]
        }
        _ => {
            manager(principal)?;
            &[TicketStatus::Dispatched, TicketStatus::Processing, TicketStatus::Awaiting]
        }
    };
    let note = validate::optional_text("note", &f.note, 512)?;
    let now = now_ms();
    // The device an install puts in, checked before the step starts.
    let installed =
        if t.r#type == TicketType::Install { Some(install_target(ctx, &t, &f.device_id).await?) } else { None };
    let step = Step { from, to: TicketStatus::Done, action: "finish" };
    let mut tx =
        step.begin(ctx, principal, &t, "finish_time = $2, note = $4", vec![note.clone().into()], &note).await?;
    let mut refund = None;
    match t.r#type {
        TicketType::Install => {
            let device_id = installed.unwrap_or_default();
            install(&mut tx, &t, device_id, now).await?;
        }
        TicketType::Maintenance => {
            if let (Some(device_id), Some(order)) = maintained_filter(&mut tx, &t).await? {
                in_service::refit_filter(&mut tx, device_id, order, now).await?;
            }
        }
        TicketType::Removal => refund = remove(&mut tx, &t, now).await?,
        _ => {}
    }
    tx.commit().await?;
    if let Some(refund) = refund {
        refund.send(ctx).await;
    }
    get(ctx, principal, ticket_id).await
}

/// The device and the filter a maintenance ticket was made for (one read of its row: the
/// wire type carries the serial, not these).
async fn maintained_filter(tx: &mut Tx, t: &Ticket) -> Result<(Option<i64>, Option<i64>)> {
    Ok(tx
        .fetch_one(
            &Sql::new("SELECT device_id, filter_order FROM tickets WHERE ticket_id = $1").bind(t.ticket_id.clone()),
        )
        .await?)
}

/// The device an install ticket puts in: the one it names, else the serial given, which must
/// be the vendor's, registered, in no one else's hands and not leased.
async fn install_target(ctx: &Ctx, t: &Ticket, serial: &str) -> Result<i64> {
    let serial = if t.device_id.is_empty() { serial.trim().to_owned() } else { t.device_id.clone() };
    if serial.is_empty() {
        return Err(ApiError::missing("device_id").into());
    }
    let found: Option<(i64, Option<i64>, Option<i64>, Option<i64>)> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT d.id, d.owner_id, d.deregister_time, (SELECT l.id FROM leases l WHERE l.device_id = d.id \
                 AND l.state <> 3) FROM devices d WHERE d.corp_id = $1 AND d.serial = $2",
            )
            .bind(t.vid.clone())
            .bind(serial.clone()),
        )
        .await?;
    let (id, owner, gone, lease) = found
        .ok_or_else(|| ApiError::invalid("device_id", &format!("the vendor has no registered device {serial}")))?;
    let user: Option<(i64,)> = ctx
        .db
        .fetch_optional(&Sql::new("SELECT user_id FROM tickets WHERE ticket_id = $1").bind(t.ticket_id.clone()))
        .await?;
    let user = user.map(|(u,)| u);
    if gone.is_some() {
        return Err(ApiError::invalid("device_id", "this device was deregistered").into());
    }
    if owner.is_some() && owner != user {
        return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is bound to another user").into());
    }
    if lease.is_some() {
        return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is already leased").into());
    }
    Ok(id)
}

/// The order line an install ticket was made for.
#[derive(sqlx::FromRow)]
struct InstallLine {
    order_id: String,
    user_id: i64,
    receiver: String,
    prod_id: String,
    quantity: i64,
    deposit: i64,
    rent_plan: String,
    rent: i64,
    billing: i64,
    rent_config: String,
}

/// An install done: the device is bound to the ticket's user at the order's address, carries
/// the merchandise's filters, is in service, and a rental's lease starts now.
async fn install(tx: &mut Tx, t: &Ticket, device_id: i64, now: i64) -> Result<()> {
    let line: Option<InstallLine> = tx
        .fetch_optional(
            &Sql::new(
                "SELECT o.order_id, o.user_id, o.receiver, l.prod_id, l.quantity, l.deposit, l.rent_plan, l.rent, \
                 l.billing, m.rent AS rent_config FROM tickets t JOIN orders o ON o.order_id = t.order_id \
                 JOIN order_lines l ON l.order_id = t.order_id AND l.line = t.order_line \
                 JOIN merchandise m ON m.prod_id = l.prod_id WHERE t.ticket_id = $1 AND o.state IN (1, 2, 3, 8)",
            )
            .bind(t.ticket_id.clone()),
        )
        .await?;
    let line = line
        .ok_or_else(|| ApiError::new(codes::TICKET_STATE, "this ticket's order was refunded or closed: cancel it"))?;
    let receiver: crate::model::order::Receiver = serde_json::from_str(&line.receiver).unwrap_or_default();
    let serial: (String,) = tx.fetch_one(&Sql::new("SELECT serial FROM devices WHERE id = $1").bind(device_id)).await?;
    let (installer,) = (t.engineer_id,);
    // Bound meanwhile to someone else, or deregistered: the whole step is undone.
    let bound = tx.execute(
        &Sql::new(
            "UPDATE devices SET owner_id = $1, bind_time = COALESCE(bind_time, $2), installer_id = $3, install_time = $2, \
             install_area = $4, install_address = $5, prod_id = $6, service_state = $7 WHERE id = $8 \
             AND (owner_id IS NULL OR owner_id = $1) AND deregister_time IS NULL",
        )
        .bind(line.user_id)
        .bind(now)
        .bind(installer)
        .bind(receiver.area)
        .bind(receiver.address)
        .bind(line.prod_id.clone())
        .bind(ServiceState::Active.code())
        .bind(device_id),
    )
    .await?;
    if bound == 0 {
        return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is bound to another user").into());
    }
    tx.execute(
        &Sql::new("UPDATE tickets SET device_id = $1, serial = $2 WHERE ticket_id = $3")
            .bind(device_id)
            .bind(serial.0)
            .bind(t.ticket_id.clone()),
    )
    .await?;
    let spec = in_service::merchandise_spec(tx, &t.vid, &line.prod_id).await?;
    in_service::fit_filters(tx, device_id, &spec, now).await?;
    if line.rent_plan.is_empty() || !billing::is_rental(line.billing) {
        return Ok(());
    }
    let rent: Rent = serde_json::from_str(&line.rent_config).unwrap_or_default();
    let plan = rent.config.iter().find(|p| p.key == line.rent_plan).cloned().unwrap_or_default();
    let per_unit = |v: i64| if line.quantity > 0 { v / line.quantity } else { v };
    let (days, litres) = (plan.days(), plan.litres());
    let metered = litres.is_some() && days.is_none();
    let expire = days.map(|d| now + d * DAY_MS);
    let day_rent = days.filter(|d| *d > 0).map(|d| per_unit(line.rent) / d).unwrap_or(0);
    let (water,): (i64,) = tx
        .fetch_optional(&Sql::new("SELECT water_ml FROM device_telemetry WHERE device_id = $1").bind(device_id))
        .await?
        .unwrap_or((0,));
    let leased = tx.execute(
        &Sql::new(
            "INSERT INTO leases (corp_id, device_id, user_id, order_id, prod_id, billing, deposit, day_rent, start_time, \
             expire_time, litres, water_ml_start, state, create_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $9)",
        )
        .bind(t.vid.clone())
        .bind(device_id)
        .bind(line.user_id)
        .bind(line.order_id.clone())
        .bind(line.prod_id.clone())
        .bind(if metered { billing::METERED } else { billing::TIMED })
        .bind(per_unit(line.deposit))
        .bind(day_rent)
        .bind(now)
        .bind(expire)
        .bind(litres.unwrap_or(0))
        .bind(water)
        .bind(LeaseState::Active.code()),
    )
    .await;
    match leased {
        Ok(_) => {}
        Err(e) if crate::server::db::unique_violation(&e) => {
            return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is already leased").into())
        }
        Err(e) => return Err(e.into()),
    }
    tx.execute(&Sql::new("UPDATE devices SET service_expire = $1 WHERE id = $2").bind(expire).bind(device_id)).await?;
    Ok(())
}

/// A removal done (the lease still waits for this very ticket: a renewal paid meanwhile let it
/// go, and the lease stays): the lease ends, owing a day's rent for each day (begun) past its expiry,
/// at most the deposit; the rest of the deposit goes back through the order's payment; the
/// device is released and out of service.
async fn remove(tx: &mut Tx, t: &Ticket, now: i64) -> Result<Option<payment::Refund>> {
    let lease: Option<LeaseRow> = tx
        .fetch_optional(
            &Sql::new(format!("SELECT {LEASE_COLUMNS} FROM leases WHERE removal_ticket = $1 AND state <> 3"))
                .bind(t.ticket_id.clone()),
        )
        .await?;
    let Some(lease) = lease else { return Ok(None) };
    let overstay_days = match lease.expire_time {
        Some(expire) if now > expire => (now - expire + DAY_MS - 1) / DAY_MS,
        _ => 0,
    };
    let owed = (overstay_days * lease.day_rent).min(lease.deposit);
    let back = lease.deposit - owed;
    let changed = tx
        .execute(
            &Sql::new(
                "UPDATE leases SET state = 3, end_time = $1, owed = $2, refunded = $3 WHERE id = $4 AND state <> 3",
            )
            .bind(now)
            .bind(owed)
            .bind(back)
            .bind(lease.id),
        )
        .await?;
    if changed == 0 {
        return Ok(None);
    }
    tx.execute(
        &Sql::new(
            "UPDATE devices SET owner_id = NULL, bind_time = NULL, service_state = 0, service_expire = NULL WHERE id = $1",
        )
        .bind(lease.device_id),
    )
    .await?;
    tx.execute(&Sql::new("DELETE FROM device_shares WHERE device_id = $1").bind(lease.device_id)).await?;
    if back <= 0 {
        return Ok(None);
    }
    let paid = payment::paid_total(tx, &lease.order_id).await?;
    let deposit = payment::Paid { amount: back, ..paid };
    Ok(Some(payment::refund_in(tx, &lease.order_id, &deposit, "deposit back at removal").await?))
}

/// Lets go of what a ticket claimed when it is cancelled: the filter or the lease it was made
/// for may have a new one made (the job does, while the need remains).
async fn release_claims(tx: &mut Tx, t: &Ticket) -> Result<()> {
    tx.execute(&Sql::new("UPDATE device_filters SET ticket_id = NULL WHERE ticket_id = $1").bind(t.ticket_id.clone()))
        .await?;
    tx.execute(
        &Sql::new("UPDATE leases SET removal_ticket = NULL WHERE removal_ticket = $1").bind(t.ticket_id.clone()),
    )
    .await?;
    Ok(())
}

/// Cancels a ticket before work starts: the vendor's ticket handlers or a dealer in scope
/// (created, reviewed or dispatched); the user who opened it, before it is reviewed.
pub async fn cancel(ctx: &Ctx, principal: &Principal, ticket_id: &str, note: &str) -> Result<Map<String, Value>> {
    let t = find(ctx, principal, ticket_id).await?;
    let from: &[TicketStatus] = match principal {
        Principal::EndUser(_) if t.source != "user" => {
            return Err(ApiError::new(codes::FORBIDDEN, "a user cancels only the tickets it opened").into())
        }
        Principal::EndUser(_) => &[TicketStatus::Created],
        Principal::Engineer(_) => {
            return Err(ApiError::new(codes::FORBIDDEN, "an engineer cannot cancel a ticket").into())
        }
        _ => {
            manager(principal)?;
            &[TicketStatus::Created, TicketStatus::Reviewed, TicketStatus::Dispatched]
        }
    };
    let note = validate::optional_text("note", note, 512)?;
    let step = Step { from, to: TicketStatus::Cancelled, action: "cancel" };
    let mut tx = step.begin(ctx, principal, &t, "cancel_time = $2", vec![], &note).await?;
    release_claims(&mut tx, &t).await?;
    tx.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// The user rates a done ticket once: 1–5 and a comment.
pub async fn rate(
    ctx: &Ctx,
    principal: &Principal,
    ticket_id: &str,
    value: i64,
    detail: &str,
) -> Result<Map<String, Value>> {
    let Principal::EndUser(_) = principal else {
        return Err(ApiError::new(codes::FORBIDDEN, "tickets are rated by their users").into());
    };
    let t = find(ctx, principal, ticket_id).await?;
    if !(1..=5).contains(&value) {
        return Err(ApiError::invalid("rate_value", "1-5").into());
    }
    let detail = validate::optional_text("rate_detail", detail, 512)?;
    if t.status != TicketStatus::Done {
        return Err(wrong_state(t.status, "rated before it is done"));
    }
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let changed = tx
        .execute(
            &Sql::new(
                "UPDATE tickets SET rate_value = $1, rate_time = $2, rate_detail = $3, update_time = $2 \
                 WHERE ticket_id = $4 AND status = 6 AND rate_value IS NULL",
            )
            .bind(value)
            .bind(now)
            .bind(detail.clone())
            .bind(t.ticket_id.clone()),
        )
        .await?;
    if changed == 0 {
        return Err(ApiError::new(codes::TICKET_STATE, "this ticket was rated already").into());
    }
    event(&mut tx, &t.ticket_id, now, "rate", &actor(principal), TicketStatus::Done, &format!("{value}: {detail}"))
        .await?;
    tx.commit().await?;
    get(ctx, principal, ticket_id).await
}

/// An engineer removed: its tickets not yet finished go back to be dispatched again.
pub async fn undispatch_engineer(tx: &mut Tx, engineer_id: i64, now: i64) -> Result<()> {
    let open: Vec<(String,)> = tx
        .fetch_all(
            &Sql::new(
                "UPDATE tickets SET status = 2, engineer_id = NULL, dispatch_time = NULL, accept_time = NULL, \
                 update_time = $1 WHERE engineer_id = $2 AND status IN (3, 4, 5) RETURNING ticket_id",
            )
            .bind(now)
            .bind(engineer_id),
        )
        .await?;
    for (id,) in open {
        event(tx, &id, now, "undispatch", "system", TicketStatus::Reviewed, "the engineer was removed").await?;
    }
    Ok(())
}

/// An order just paid (in its payment's transaction): an install ticket for each unit of each
/// line that needs installation; a line that renews a lease extends it.
/// Answers the refunds it recorded (a renewal that found nothing to extend gives its rent
/// back), to send once the payment's transaction has committed.
pub async fn on_paid(tx: &mut Tx, order_id: &str, now: i64) -> Result<Vec<payment::Refund>> {
    #[derive(sqlx::FromRow)]
    struct Line {
        corp_id: String,
        user_id: i64,
        uid: String,
        user_dealer_id: Option<i64>,
        dealer_scope: Option<String>,
        receiver: String,
        line: i64,
        name: String,
        quantity: i64,
        install_cost: i64,
        install: bool,
        renews: Option<String>,
        rent_plan: String,
        rent: String,
        line_rent: i64,
    }
    let lines: Vec<Line> = tx
        .fetch_all(
            &Sql::new(
                "SELECT o.corp_id, o.user_id, o.uid, u.dealer_id AS user_dealer_id, o.dealer_scope, o.receiver, l.line, \
                 l.name, l.quantity, l.install_cost, m.install, l.renews, l.rent_plan, m.rent, l.rent AS line_rent \
                 FROM orders o JOIN order_lines l ON l.order_id = o.order_id \
                 JOIN merchandise m ON m.prod_id = l.prod_id JOIN end_users u ON u.id = o.user_id \
                 WHERE o.order_id = $1 ORDER BY l.line",
            )
            .bind(order_id.to_owned()),
        )
        .await?;
    let mut refunds = Vec::new();
    for l in lines {
        if let Some(serial) = l.renews.as_deref().filter(|s| !s.is_empty()) {
            let rent: Rent = serde_json::from_str(&l.rent).unwrap_or_default();
            let plan = rent.config.into_iter().find(|p| p.key == l.rent_plan).unwrap_or_default();
            let extended = renew(
                tx,
                &l.corp_id,
                l.user_id,
                serial,
                plan.days().map(|d| d * l.quantity),
                plan.litres().map(|n| n * l.quantity),
                now,
            )
            .await?;
            if !extended && l.line_rent > 0 {
                // Removed (or being removed) since the renewal was ordered: its rent goes back.
                let paid = payment::paid_total(tx, order_id).await?;
                let back = payment::Paid { amount: l.line_rent, ..paid };
                refunds.push(payment::refund_in(tx, order_id, &back, "the rented device was removed").await?);
            }
            continue;
        }
        if !(l.install || l.install_cost > 0) {
            continue;
        }
        let receiver: crate::model::order::Receiver = serde_json::from_str(&l.receiver).unwrap_or_default();
        for unit in 1..=l.quantity {
            let draft = Draft {
                corp_id: l.corp_id.clone(),
                kind: Some(TicketType::Install),
                source: "system",
                detail: format!("{} ({unit}/{})", l.name, l.quantity),
                user_id: Some(l.user_id),
                uid: l.uid.clone(),
                order_id: Some(order_id.to_owned()),
                order_line: Some(l.line),
                unit: Some(unit),
                dealer_id: l.user_dealer_id,
                dealer_scope: l.dealer_scope.clone(),
                address: format!("{}{}", receiver.area, receiver.address),
                ..Draft::default()
            };
            create_in(tx, &draft, "system", now).await?;
        }
    }
    Ok(refunds)
}

/// An order refunded: its install tickets not yet started are cancelled (one in progress is
/// refused at its finish, the order being refunded).
pub async fn cancel_installs(tx: &mut Tx, order_id: &str, now: i64) -> Result<()> {
    let cancelled: Vec<(String,)> = tx
        .fetch_all(
            &Sql::new(
                "UPDATE tickets SET status = 0, cancel_time = $1, update_time = $1 WHERE order_id = $2 AND type = 1 \
                 AND status IN (1, 2, 3) RETURNING ticket_id",
            )
            .bind(now)
            .bind(order_id.to_owned()),
        )
        .await?;
    for (id,) in cancelled {
        event(tx, &id, now, "cancel", "system", TicketStatus::Cancelled, "the order was refunded").await?;
    }
    Ok(())
}

/// The condition on a lease `l` that its removal is under way (the removal ticket being worked
/// on, waiting or done): it can no longer be renewed. One rule for ordering a renewal
/// (`order::create`) and for applying a paid one ([`renew`]).
pub const REMOVAL_UNDER_WAY: &str =
    "EXISTS (SELECT 1 FROM tickets t WHERE t.ticket_id = l.removal_ticket AND t.status IN (4, 5, 6))";

/// A renewal paid: the device's open lease runs `days` more (from its expiry, or from now if it
/// has expired) or holds `litres` more; it is active again, and a removal ticket not yet started
/// is cancelled. `false` when there is nothing to extend: the lease ended, or its removal is
/// under way.
async fn renew(
    tx: &mut Tx,
    corp_id: &str,
    user_id: i64,
    serial: &str,
    days: Option<i64>,
    litres: Option<i64>,
    now: i64,
) -> Result<bool> {
    let lease: Option<LeaseRow> = tx
        .fetch_optional(
            &Sql::new(format!(
                "SELECT {LEASE_COLUMNS} FROM leases l WHERE corp_id = $1 AND user_id = $2 AND state <> 3 \
                 AND device_id = (SELECT id FROM devices WHERE serial = $3) AND NOT {REMOVAL_UNDER_WAY}"
            ))
            .bind(corp_id.to_owned())
            .bind(user_id)
            .bind(serial.to_owned()),
        )
        .await?;
    let Some(lease) = lease else {
        tracing::warn!(
            serial,
            "a renewal paid for a device without an open lease (or being removed); its rent goes back"
        );
        return Ok(false);
    };
    let expire = match (lease.expire_time, days) {
        (Some(e), Some(d)) => Some(e.max(now) + d * DAY_MS),
        (e, _) => e,
    };
    let extended = tx
        .execute(
            &Sql::new(
                "UPDATE leases SET expire_time = $1, litres = litres + $2, state = 1, expired_time = NULL \
                 WHERE id = $3 AND state <> 3",
            )
            .bind(expire)
            .bind(litres.unwrap_or(0))
            .bind(lease.id),
        )
        .await?;
    if extended == 0 {
        return Ok(false);
    }
    tx.execute(
        &Sql::new("UPDATE devices SET service_state = 1, service_expire = $1 WHERE id = $2")
            .bind(expire)
            .bind(lease.device_id),
    )
    .await?;
    let removal: Option<(Option<String>,)> =
        tx.fetch_optional(&Sql::new("SELECT removal_ticket FROM leases WHERE id = $1").bind(lease.id)).await?;
    if let Some((Some(ticket_id),)) = removal {
        let cancelled = tx
            .execute(
                &Sql::new(
                    "UPDATE tickets SET status = 0, cancel_time = $1, update_time = $1 WHERE ticket_id = $2 \
                     AND status IN (1, 2, 3)",
                )
                .bind(now)
                .bind(ticket_id.clone()),
            )
            .await?;
        if cancelled == 1 {
            event(tx, &ticket_id, now, "cancel", "system", TicketStatus::Cancelled, "the lease was renewed").await?;
        }
        tx.execute(&Sql::new("UPDATE leases SET removal_ticket = NULL WHERE id = $1").bind(lease.id)).await?;
    }
    Ok(true)
}

/// A removal ticket for an expired lease, claimed on the lease so only one is ever made.
pub async fn removal_for(
    tx: &mut Tx,
    corp_id: &str,
    lease_id: i64,
    device_id: i64,
    now: i64,
) -> Result<Option<String>> {
    let mut draft = about_device(tx, corp_id, TicketType::Removal, device_id).await?;
    draft.lease_id = Some(lease_id);
    draft.detail = "the lease expired and was not renewed".into();
    let Some(ticket_id) = create_in(tx, &draft, "system", now).await? else { return Ok(None) };
    let claimed = tx
        .execute(
            &Sql::new("UPDATE leases SET removal_ticket = $1 WHERE id = $2 AND removal_ticket IS NULL AND state = 2")
                .bind(ticket_id.clone())
                .bind(lease_id),
        )
        .await?;
    Ok((claimed == 1).then_some(ticket_id))
}

/// A maintenance ticket for a filter at its end, claimed on the filter so only one is open.
pub async fn maintenance_for(
    tx: &mut Tx,
    corp_id: &str,
    device_id: i64,
    order: i64,
    name: &str,
    now: i64,
) -> Result<Option<String>> {
    let mut draft = about_device(tx, corp_id, TicketType::Maintenance, device_id).await?;
    draft.filter_order = Some(order);
    draft.detail = format!("filter {order} ({name}) is at its end");
    let Some(ticket_id) = create_in(tx, &draft, "system", now).await? else { return Ok(None) };
    let claimed = tx
        .execute(
            &Sql::new(
                "UPDATE device_filters SET ticket_id = $1, remaining = 0 WHERE device_id = $2 AND filter_order = $3 \
                 AND ticket_id IS NULL",
            )
            .bind(ticket_id.clone())
            .bind(device_id)
            .bind(order),
        )
        .await?;
    Ok((claimed == 1).then_some(ticket_id))
}

/// A fault ticket for a device whose self-check reported a fault; `None` while one is open.
pub async fn device_fault_for(tx: &mut Tx, corp_id: &str, device_id: i64, now: i64) -> Result<Option<String>> {
    let mut draft = about_device(tx, corp_id, TicketType::Fault, device_id).await?;
    draft.source = "device";
    draft.detail = "the device's self-check reported a fault".into();
    create_in(tx, &draft, "system", now).await
}

/// Flags the tickets past their targets (not accepted by the respond target, not done by the
/// resolve target) as overdue, escalated to the responsible dealer's upper dealer. Each is
/// flagged once.
pub async fn flag_overdue(tx: &mut Tx, now: i64) -> Result<u64> {
    let flagged: Vec<(String, i64)> = tx
        .fetch_all(
            &Sql::new(
                "UPDATE tickets SET overdue = TRUE, update_time = $1, escalated_to = (SELECT d.upper_dealer_id \
                 FROM dealers d WHERE d.id = tickets.dealer_id) WHERE overdue = FALSE AND status IN (1, 2, 3, 4, 5) \
                 AND (resolve_due <= $1 OR (status IN (1, 2, 3) AND respond_due <= $1)) RETURNING ticket_id, status",
            )
            .bind(now),
        )
        .await?;
    for (id, status) in &flagged {
        let status = TicketStatus::from_code(*status).unwrap_or(TicketStatus::Created);
        event(tx, id, now, "overdue", "system", status, "past its target: escalated").await?;
    }
    Ok(flagged.len() as u64)
}
