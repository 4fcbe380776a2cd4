//! Moves orders on by the clock (OPS-CONTRACT.md "Orders and money"): an unpaid order closes
//! after `ORDER_PAY_MINUTES`, a shipped one counts as received `ORDER_RECEIVE_DAYS` after it
//! shipped, and a received one is done once its return window (`ORDER_RETURN_DAYS`) has passed.
//! Each step is one conditional `UPDATE` on the state, the same compare-and-set the API uses, so
//! several app servers may run it at once and a user's own step at the same moment wins or loses
//! cleanly. A payment that arrives for an order closed meanwhile is refunded. An order that is
//! done makes its commission available in the same transaction.

use crate::{
    model::order::OrderState,
    server::{clock::now_ms, db::Sql, error::Result, service::commission, state::Ctx},
};

/// How many orders one pass moved, by step.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Advanced {
    pub closed: u64,
    pub received: u64,
    pub done: u64,
}

/// One pass at time `now` (milliseconds).
pub async fn advance(ctx: &Ctx, now: i64) -> Result<Advanced> {
    let c = &ctx.config;
    let step = |to: OrderState, stamp: &str, from: OrderState, since: &str, after: std::time::Duration| {
        Sql::new(format!(
            "UPDATE orders SET state = $1, {stamp} = $2, update_time = $2 WHERE state = $3 AND {since} <= $4 \
             RETURNING order_id"
        ))
        .bind(to.code())
        .bind(now)
        .bind(from.code())
        .bind(now - after.as_millis() as i64)
    };
    let db = &ctx.db;
    let closed: Vec<(String,)> = db
        .fetch_all(&step(OrderState::Close, "close_time", OrderState::Obligation, "create_time", c.order_pay_window))
        .await?;
    let received: Vec<(String,)> = db
        .fetch_all(&step(
            OrderState::Received,
            "receive_time",
            OrderState::Delivered,
            "delivery_time",
            c.order_receive_after,
        ))
        .await?;
    // Done: what the orders earned becomes available, in the same step.
    let mut tx = db.begin().await?;
    let done: Vec<(String,)> = tx
        .fetch_all(&step(
            OrderState::Done,
            "complete_time",
            OrderState::Received,
            "receive_time",
            c.order_return_window,
        ))
        .await?;
    let done: Vec<String> = done.into_iter().map(|(id,)| id).collect();
    commission::activate(&mut tx, &done, now).await?;
    tx.commit().await?;
    Ok(Advanced { closed: closed.len() as u64, received: received.len() as u64, done: done.len() as u64 })
}

/// Runs [`advance`] every minute for the life of the server.
pub async fn advance_every_minute(ctx: Ctx) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        let Some(_pass) = super::pass() else { return };
        let pass = advance(&ctx, now_ms()).await;
        crate::server::metrics::job_ran("orders", pass.is_ok());
        match pass {
            Ok(moved) if moved != Advanced::default() => tracing::info!(?moved, "orders moved on by the clock"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "moving orders on failed"),
        }
    }
}
