//! The corp's device quota: `corps.device_total` is kept in the same transaction as every
//! device insert and delete, and the limit is enforced by the very UPDATE that raises it, so two
//! imports racing on two app servers cannot both slip under it. Devices and products (whose
//! delete takes its devices) both use it.

use crate::{
    model::error::{codes, ApiError},
    server::{
        db::{Sql, Tx},
        error::Result,
    },
};

/// Raises the corp's device count by `n`, refusing (4041033) when that passes its quota. One
/// conditional UPDATE, so it holds under concurrent imports.
pub async fn reserve(tx: &mut Tx, corp_id: &str, n: u64) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let changed = tx
        .execute(
            &Sql::new(
                "UPDATE corps SET device_total = device_total + $1 WHERE id = $2 AND device_total + $1 <= device_limit",
            )
            .bind(n)
            .bind(corp_id.to_owned()),
        )
        .await?;
    if changed == 0 {
        let (total, limit): (i64, i64) = tx
            .fetch_one(&Sql::new("SELECT device_total, device_limit FROM corps WHERE id = $1").bind(corp_id.to_owned()))
            .await?;
        return Err(ApiError::new(
            codes::DEVICE_QUOTA,
            format!("device quota reached: {total} of {limit} in use, {n} more asked for"),
        )
        .into());
    }
    Ok(())
}

/// Lowers the corp's device count after devices were deleted.
pub async fn release(tx: &mut Tx, corp_id: &str, n: u64) -> Result<()> {
    if n > 0 {
        tx.execute(
            &Sql::new("UPDATE corps SET device_total = device_total - $1 WHERE id = $2")
                .bind(i64::try_from(n).unwrap_or(i64::MAX))
                .bind(corp_id.to_owned()),
        )
        .await?;
    }
    Ok(())
}
