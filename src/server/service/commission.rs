//! Commission (佣金, seed 003 七; OPS-CONTRACT.md "Orders and money") over one ledger.
//!
//! When an order is paid, each of its lines earns commission for up to three levels up the
//! buyer's referral chain, at the percentages copied into the line from the merchandise: the
//! buyer's referrer (`rid`), that user's referrer, and so on; a user that came through a dealer's
//! link without a referrer has that dealer as its next level, and a dealer its upper dealer. It
//! is pending until the order is done, then available; a refund reverses it (from what is
//! available when it already was, which may leave a debt). Withdrawals move what is available to
//! withdrawing, and the vendor pays them out (bank card; recorded, no bank is called) or rejects
//! them. Every amount is an entry, never edited, written in the same transaction as the change
//! that causes it; balances are sums; [`reconcile`] proves they add up.

use std::collections::BTreeMap;

use sea_query::{Alias, Expr};

use crate::{
    model::{
        commission::{CommissionEntry, Summary, Withdrawal, WithdrawalInput},
        error::codes,
        list::Page,
        merchandise::Commission,
        permission::{MANAGE_COMMISSION, READ_COMMISSION},
        vendor::Area,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::now_ms,
        db::{unique_violation, Sql, Tx},
        error::{ApiError, Error, Result},
        list::{self, ListQuery},
        scope::Scope,
        secret::random_hex,
        service::{permission, vendor},
        state::Ctx,
    },
};

/// At least this long between two withdrawals of one account (the document: 30 seconds).
const WITHDRAW_GAP_MS: i64 = 30_000;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// The ledger account of a user or a dealer.
pub fn user_account(uid: &str) -> String {
    format!("u:{uid}")
}

pub fn dealer_account(dealer_id: i64) -> String {
    format!("d:{dealer_id}")
}

/// The caller's own account, if it has one (users and dealers earn commission).
fn own_account(principal: &Principal) -> Option<(String, &str)> {
    match principal {
        Principal::EndUser(u) => Some((user_account(&u.uid), &u.corp_id)),
        Principal::Dealer(d) => Some((dealer_account(d.dealer_id), &d.corp_id)),
        _ => None,
    }
}

/// Who earns on an order of the user `user_id`: up to three accounts, nearest first.
async fn chain(tx: &mut Tx, user_id: i64) -> Result<Vec<String>> {
    enum Node {
        User(i64),
        Dealer(i64),
    }
    let mut accounts = Vec::with_capacity(3);
    let mut node = Node::User(user_id);
    while accounts.len() < 3 {
        node = match node {
            Node::User(id) => {
                let (corp_id, rid, dealer_id): (String, Option<String>, Option<i64>) = tx
                    .fetch_one(&Sql::new("SELECT corp_id, rid, dealer_id FROM end_users WHERE id = $1").bind(id))
                    .await?;
                if let Some(rid) = rid.filter(|r| !r.is_empty()) {
                    let referrer: Option<(i64,)> = tx
                        .fetch_optional(
                            &Sql::new("SELECT id FROM end_users WHERE corp_id = $1 AND uid = $2")
                                .bind(corp_id)
                                .bind(rid.clone()),
                        )
                        .await?;
                    let Some((referrer,)) = referrer else { break };
                    accounts.push(user_account(&rid));
                    Node::User(referrer)
                } else if let Some(dealer) = dealer_id {
                    accounts.push(dealer_account(dealer));
                    Node::Dealer(dealer)
                } else {
                    break;
                }
            }
            Node::Dealer(id) => {
                let upper: Option<(Option<i64>,)> =
                    tx.fetch_optional(&Sql::new("SELECT upper_dealer_id FROM dealers WHERE id = $1").bind(id)).await?;
                match upper.and_then(|(u,)| u) {
                    Some(upper) => {
                        accounts.push(dealer_account(upper));
                        Node::Dealer(upper)
                    }
                    None => break,
                }
            }
        };
    }
    Ok(accounts)
}

/// What a paid order earns, by (account, level): each line's sale (price × quantity, plus its
/// rent) times its level's percentage, rounded down to the fen.
async fn earnings(tx: &mut Tx, order_id: &str) -> Result<(String, BTreeMap<(String, i64), i64>)> {
    let (corp_id, user_id): (String, i64) = tx
        .fetch_one(&Sql::new("SELECT corp_id, user_id FROM orders WHERE order_id = $1").bind(order_id.to_owned()))
        .await?;
    let lines: Vec<(i64, i64, i64, String)> = tx
        .fetch_all(
            &Sql::new("SELECT price, quantity, rent, commis FROM order_lines WHERE order_id = $1 ORDER BY line")
                .bind(order_id.to_owned()),
        )
        .await?;
    let accounts = chain(tx, user_id).await?;
    let mut earned = BTreeMap::new();
    for (price, quantity, rent, commis) in lines {
        let c: Commission = serde_json::from_str(&commis).unwrap_or_default();
        if !c.enabled {
            continue;
        }
        let base = price * quantity + rent;
        for (level, (account, pct)) in accounts.iter().zip(c.config.iter()).enumerate() {
            let amount = base * pct / 100;
            if amount > 0 {
                *earned.entry((account.clone(), level as i64 + 1)).or_insert(0) += amount;
            }
        }
    }
    Ok((corp_id, earned))
}

/// One ledger entry to write: `amount` into `bucket` of `account`, for `kind`, naming the order
/// (and level) or the withdrawal it comes from.
struct Entry<'a> {
    corp_id: &'a str,
    account: &'a str,
    kind: &'a str,
    order_id: Option<&'a str>,
    level: Option<i64>,
    withdrawal_id: Option<&'a str>,
}

impl Entry<'_> {
    async fn write(&self, tx: &mut Tx, bucket: &str, amount: i64, now: i64) -> Result<()> {
        entry(tx, self, bucket, amount, now).await
    }
}

async fn entry(tx: &mut Tx, e: &Entry<'_>, bucket: &str, amount: i64, now: i64) -> Result<()> {
    let Entry { corp_id, account, kind, order_id, level, withdrawal_id } = *e;
    tx.execute(
        &Sql::new(
            "INSERT INTO commission_entries (corp_id, account, bucket, amount, kind, order_id, level, withdrawal_id, \
             create_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(corp_id.to_owned())
        .bind(account.to_owned())
        .bind(bucket.to_owned())
        .bind(amount)
        .bind(kind.to_owned())
        .bind(order_id.map(str::to_owned))
        .bind(level)
        .bind(withdrawal_id.map(str::to_owned))
        .bind(now),
    )
    .await?;
    Ok(())
}

/// The order `order_id` was just paid (in `tx`): its commission is earned, pending.
pub async fn earn(tx: &mut Tx, order_id: &str, now: i64) -> Result<()> {
    let (corp_id, earned) = earnings(tx, order_id).await?;
    for ((account, level), amount) in earned {
        let e = Entry {
            corp_id: &corp_id,
            account: &account,
            kind: "earn",
            order_id: Some(order_id),
            level: Some(level),
            withdrawal_id: None,
        };
        e.write(tx, "pending", amount, now).await?;
    }
    Ok(())
}

/// The earn entries of an order: (corp, account, level, amount).
async fn earned_of(tx: &mut Tx, order_id: &str) -> Result<Vec<(String, String, i64, i64)>> {
    Ok(tx
        .fetch_all(
            &Sql::new(
                "SELECT corp_id, account, level, amount FROM commission_entries \
                 WHERE order_id = $1 AND kind = 'earn' ORDER BY id",
            )
            .bind(order_id.to_owned()),
        )
        .await?)
}

/// The orders `order_ids` were just done (in `tx`): what they earned becomes available.
pub async fn activate(tx: &mut Tx, order_ids: &[String], now: i64) -> Result<()> {
    for order_id in order_ids {
        for (corp_id, account, level, amount) in earned_of(tx, order_id).await? {
            let e = Entry {
                corp_id: &corp_id,
                account: &account,
                kind: "activate",
                order_id: Some(order_id),
                level: Some(level),
                withdrawal_id: None,
            };
            e.write(tx, "pending", -amount, now).await?;
            e.write(tx, "available", amount, now).await?;
        }
    }
    Ok(())
}

/// The order `order_id` was just refunded (in `tx`): what it earned is taken back — from
/// pending, or from available once it was done (which may go below zero: a debt).
pub async fn reverse(tx: &mut Tx, order_id: &str, now: i64) -> Result<()> {
    let (activated,): (i64,) = tx
        .fetch_one(
            &Sql::new("SELECT COUNT(*) FROM commission_entries WHERE order_id = $1 AND kind = 'activate'")
                .bind(order_id.to_owned()),
        )
        .await?;
    let bucket = if activated > 0 { "available" } else { "pending" };
    for (corp_id, account, level, amount) in earned_of(tx, order_id).await? {
        let e = Entry {
            corp_id: &corp_id,
            account: &account,
            kind: "reverse",
            order_id: Some(order_id),
            level: Some(level),
            withdrawal_id: None,
        };
        e.write(tx, bucket, -amount, now).await?;
    }
    Ok(())
}

/// The balances of `account`.
async fn balances(db_tx: &mut Tx, account: &str) -> Result<Summary> {
    let rows: Vec<(String, i64)> = db_tx
        .fetch_all(
            &Sql::new(
                "SELECT bucket, CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM commission_entries WHERE account = $1 GROUP BY bucket",
            )
            .bind(account.to_owned()),
        )
        .await?;
    Ok(owed(summary_of(rows)))
}

/// The sums by bucket (available may be below zero).
fn summary_of(rows: Vec<(String, i64)>) -> Summary {
    let mut s = Summary::default();
    for (bucket, sum) in rows {
        match bucket.as_str() {
            "pending" => s.pending += sum,
            "available" => s.available += sum,
            "withdrawing" => s.withdrawing += sum,
            "withdrawn" => s.withdrawn += sum,
            _ => {}
        }
    }
    s
}

/// One account's balances as shown: available below zero is a debt.
fn owed(mut s: Summary) -> Summary {
    if s.available < 0 {
        s.debt = -s.available;
        s.available = 0;
    }
    s
}

/// AE-02: the caller's balances — its own (a user, a dealer), or its vendor's in all (members
/// who view commission).
pub async fn summary(ctx: &Ctx, principal: &Principal) -> Result<Summary> {
    if let Some((account, vid)) = own_account(principal) {
        vendor::require_area(ctx, vid, Area::Commission).await?;
        let mut tx = ctx.db.begin_read().await?;
        let s = balances(&mut tx, &account).await?;
        tx.commit().await?;
        return Ok(s);
    }
    let me = permission::require(principal, READ_COMMISSION)?;
    vendor::require_area(ctx, &me.corp_id, Area::Commission).await?;
    let rows: Vec<(String, i64)> = ctx
        .db
        .fetch_all(
            &Sql::new(
                "SELECT bucket, CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM commission_entries WHERE corp_id = $1 GROUP BY bucket",
            )
            .bind(me.corp_id.clone()),
        )
        .await?;
    let mut s = summary_of(rows);
    // Across accounts, a debt of one is not offset by another's balance: add them up apart.
    let (debt,): (i64,) = ctx
        .db
        .fetch_one(
            &Sql::new(
                "SELECT CAST(COALESCE(SUM(-balance), 0) AS BIGINT) FROM (SELECT SUM(amount) AS balance FROM commission_entries \
                 WHERE corp_id = $1 AND bucket = 'available' GROUP BY account) b WHERE balance < 0",
            )
            .bind(me.corp_id.clone()),
        )
        .await?;
    // Σ available = what the accounts in credit hold − what the others owe.
    s.available += debt;
    s.debt = debt;
    Ok(s)
}

/// The ledger or withdrawals `principal` may read: the vendor's members who view commission the
/// vendor's, a user or a dealer its own.
fn readable(principal: &Principal) -> Result<Scope> {
    if let Some((account, vid)) = own_account(principal) {
        return Ok(Scope::corp(vid).and(col("account").eq(account)));
    }
    Ok(Scope::corp(&permission::require(principal, READ_COMMISSION)?.corp_id))
}

/// AE-01: ledger entries, newest first unless sorted.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Commission).await?;
    let query = query.clone().sorted_by_default(&list::ROW_ID, list::Dir::Desc);
    Ok(list::run(&ctx.db, &CommissionEntry::RESOURCE, &query, scope).await?)
}

/// Withdrawals, newest first unless sorted.
pub async fn withdrawals(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Commission).await?;
    let query = query.clone().sorted_by_default(&list::ROW_ID, list::Dir::Desc);
    Ok(list::run(&ctx.db, &Withdrawal::RESOURCE, &query, scope).await?)
}

async fn withdrawal(tx: &mut Tx, scope: Scope) -> Result<Option<Withdrawal>> {
    let select = list::select_records(&Withdrawal::RESOURCE, scope);
    Ok(tx.fetch_record(&select, &Withdrawal::RESOURCE).await?)
}

/// AE-03: a user or a dealer withdraws from what is available: at least the minimum, at most
/// what is available, at least 30 seconds after its last withdrawal. The same idempotency key
/// answers the same withdrawal.
pub async fn withdraw(ctx: &Ctx, principal: &Principal, input: WithdrawalInput) -> Result<Withdrawal> {
    let Some((account, vid)) = own_account(principal) else {
        return Err(
            ApiError::new(codes::FORBIDDEN, "commission is withdrawn by the user or dealer who earned it").into()
        );
    };
    vendor::require_area(ctx, vid, Area::Commission).await?;
    let key = crate::model::validate::text("idempotency_key", &input.idempotency_key, 64)?;
    let card: String = input.bank_card.chars().filter(|c| !c.is_whitespace()).collect();
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("bank_card", "12-19 digits").into());
    }
    let min = ctx.config.commission_min_withdraw;
    if input.amount < min {
        return Err(ApiError::invalid("amount", &format!("at least {min} fen")).into());
    }
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let same = Scope::corp(vid).and(col("account").eq(account.clone())).and(col("idempotency_key").eq(key.clone()));
    if let Some(done) = withdrawal(&mut tx, same).await? {
        return Ok(done);
    }
    // Claim the account's turn: one conditional write, so two requests on two servers cannot
    // both pass within the 30 seconds.
    let claimed = tx
        .execute(
            &Sql::new(
                "INSERT INTO commission_accounts (account, last_withdraw_time) VALUES ($1, $2) \
                 ON CONFLICT (account) DO UPDATE SET last_withdraw_time = excluded.last_withdraw_time \
                 WHERE commission_accounts.last_withdraw_time <= $3",
            )
            .bind(account.clone())
            .bind(now)
            .bind(now - WITHDRAW_GAP_MS),
        )
        .await?;
    if claimed == 0 {
        return Err(ApiError::new(codes::WITHDRAW_TOO_SOON, "withdrawals are at least 30 seconds apart").into());
    }
    let balance = balances(&mut tx, &account).await?;
    if input.amount > balance.available {
        return Err(
            ApiError::new(codes::WITHDRAW_TOO_MUCH, format!("only {} fen is available", balance.available)).into()
        );
    }
    let withdrawal_id = format!("W{}", random_hex(10).to_uppercase());
    let inserted = tx
        .execute(
            &Sql::new(
                "INSERT INTO withdrawals (withdrawal_id, corp_id, account, amount, bank_card, status, \
                 idempotency_key, create_time) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7)",
            )
            .bind(withdrawal_id.clone())
            .bind(vid.to_owned())
            .bind(account.clone())
            .bind(input.amount)
            .bind(card)
            .bind(key)
            .bind(now),
        )
        .await;
    match inserted {
        Ok(_) => {}
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::WITHDRAW_TOO_SOON, "this withdrawal is already being made").into())
        }
        Err(e) => return Err(e.into()),
    }
    let e = Entry {
        corp_id: vid,
        account: &account,
        kind: "withdraw",
        order_id: None,
        level: None,
        withdrawal_id: Some(&withdrawal_id),
    };
    e.write(&mut tx, "available", -input.amount, now).await?;
    e.write(&mut tx, "withdrawing", input.amount, now).await?;
    let scope = Scope::corp(vid).and(col("withdrawal_id").eq(withdrawal_id.clone()));
    let made = withdrawal(&mut tx, scope).await?.ok_or_else(|| Error::internal("a withdrawal just made"))?;
    tx.commit().await?;
    Ok(made)
}

/// The vendor pays a withdrawal out (`pay`) or rejects it, crediting it back; one step each.
pub async fn decide(ctx: &Ctx, principal: &Principal, withdrawal_id: &str, pay: bool) -> Result<Withdrawal> {
    let me = permission::require(principal, MANAGE_COMMISSION)?;
    vendor::require_area(ctx, &me.corp_id, Area::Commission).await?;
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let scope = Scope::corp(&me.corp_id).and(col("withdrawal_id").eq(withdrawal_id.to_owned()));
    let w = withdrawal(&mut tx, scope.clone())
        .await?
        .ok_or_else(|| ApiError::new(codes::WITHDRAWAL_NOT_FOUND, "withdrawal not found"))?;
    let status = if pay { "paid" } else { "rejected" };
    let changed = tx
        .execute(
            &Sql::new(
                "UPDATE withdrawals SET status = $1, decide_time = $2, decided_by = $3 \
                 WHERE withdrawal_id = $4 AND status = 'requested'",
            )
            .bind(status.to_owned())
            .bind(now)
            .bind(format!("member:{}", me.member_id))
            .bind(w.withdrawal_id.clone()),
        )
        .await?;
    if changed == 0 {
        return Err(ApiError::new(codes::WITHDRAWAL_STATE, format!("this withdrawal was already {}", w.status)).into());
    }
    let (to, kind) = if pay { ("withdrawn", "payout") } else { ("available", "reject") };
    let e = Entry {
        corp_id: &w.vid,
        account: &w.account,
        kind,
        order_id: None,
        level: None,
        withdrawal_id: Some(&w.withdrawal_id),
    };
    e.write(&mut tx, "withdrawing", -w.amount, now).await?;
    e.write(&mut tx, to, w.amount, now).await?;
    let change = Change::noted(serde_json::json!({ "amount": w.amount, "account": w.account, "status": status }));
    audit::record(&mut tx, principal, &format!("withdrawal.{kind}"), "withdrawal", &w.withdrawal_id, change).await?;
    let decided = withdrawal(&mut tx, scope).await?.ok_or_else(|| Error::internal("a withdrawal just decided"))?;
    tx.commit().await?;
    Ok(decided)
}

/// Checks that the ledger adds up, for every vendor; answers what does not (empty: it does).
///
/// - moves are zero-sum: all of an account's entries add up to what it earned less what was
///   reversed;
/// - nothing is pending, withdrawing or withdrawn below zero; withdrawing and withdrawn equal the
///   account's requested and paid withdrawals;
/// - a refunded order earned nothing in the end, an order not paid earned nothing, and what a
///   paid order earned is what its lines and its chain say.
pub async fn reconcile(ctx: &Ctx) -> Result<Vec<String>> {
    let db = &ctx.db;
    let mut problems = Vec::new();
    // Per account, in one pass over each table: its entries by kind and bucket, and its
    // withdrawals by status.
    let accounts: Vec<(String, i64, i64, i64, i64, i64, i64, i64)> = db
        .fetch_all(&Sql::new(
            "SELECT e.account, e.total, e.earned, e.pending, e.withdrawing, e.withdrawn, \
             CAST(COALESCE(w.asked, 0) AS BIGINT), CAST(COALESCE(w.paid, 0) AS BIGINT) \
             FROM (SELECT account, \
                   CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total, \
                   CAST(COALESCE(SUM(CASE WHEN kind IN ('earn', 'reverse') THEN amount ELSE 0 END), 0) AS BIGINT) AS earned, \
                   CAST(COALESCE(SUM(CASE WHEN bucket = 'pending' THEN amount ELSE 0 END), 0) AS BIGINT) AS pending, \
                   CAST(COALESCE(SUM(CASE WHEN bucket = 'withdrawing' THEN amount ELSE 0 END), 0) AS BIGINT) AS withdrawing, \
                   CAST(COALESCE(SUM(CASE WHEN bucket = 'withdrawn' THEN amount ELSE 0 END), 0) AS BIGINT) AS withdrawn \
                   FROM commission_entries GROUP BY account) e \
             LEFT JOIN (SELECT account, \
                   SUM(CASE WHEN status = 'requested' THEN amount ELSE 0 END) AS asked, \
                   SUM(CASE WHEN status = 'paid' THEN amount ELSE 0 END) AS paid \
                   FROM withdrawals GROUP BY account) w ON w.account = e.account",
        ))
        .await?;
    for (account, all, earned, pending, withdrawing, withdrawn, asked, paid) in accounts {
        if all != earned {
            problems.push(format!("{account}: entries add up to {all}, earned less reversed is {earned}"));
        }
        if pending < 0 || withdrawing < 0 || withdrawn < 0 {
            problems.push(format!("{account}: a balance below zero ({pending}, {withdrawing}, {withdrawn})"));
        }
        if (asked, paid) != (withdrawing, withdrawn) {
            problems.push(format!(
                "{account}: withdrawing {withdrawing} / withdrawn {withdrawn}, withdrawals say {asked} / {paid}"
            ));
        }
    }
    // Per order: (state, earned, reversed, made available, what its lines sold).
    let orders: Vec<(String, i64, i64, i64, i64, i64)> = db
        .fetch_all(&Sql::new(
            "SELECT o.order_id, o.state, CAST(COALESCE(e.earned, 0) AS BIGINT), CAST(COALESCE(e.reversed, 0) AS BIGINT), \
             CAST(COALESCE(e.activated, 0) AS BIGINT), CAST(COALESCE(l.sold, 0) AS BIGINT) \
             FROM orders o \
             LEFT JOIN (SELECT order_id, \
                   SUM(CASE WHEN kind = 'earn' THEN amount ELSE 0 END) AS earned, \
                   SUM(CASE WHEN kind = 'reverse' THEN amount ELSE 0 END) AS reversed, \
                   SUM(CASE WHEN kind = 'activate' AND bucket = 'available' THEN amount ELSE 0 END) AS activated \
                   FROM commission_entries WHERE order_id IS NOT NULL GROUP BY order_id) e ON e.order_id = o.order_id \
             LEFT JOIN (SELECT order_id, SUM(price * quantity + rent) AS sold FROM order_lines GROUP BY order_id) l \
                   ON l.order_id = o.order_id",
        ))
        .await?;
    for (order_id, state, earned, reversed, activated, sold) in orders {
        use crate::model::order::OrderState;
        let state = OrderState::from_code(state);
        let fine = match state {
            Some(OrderState::Obligation | OrderState::Close) => earned == 0 && reversed == 0,
            Some(OrderState::Refund) => earned + reversed == 0,
            Some(OrderState::Done) => reversed == 0 && activated == earned,
            Some(_) => reversed == 0 && activated == 0,
            None => false,
        };
        if !fine || earned > sold || earned < 0 {
            problems.push(format!(
                "order {order_id} (state {state:?}): earned {earned}, reversed {reversed}, available {activated}, sold {sold}"
            ));
        }
    }
    Ok(problems)
}
