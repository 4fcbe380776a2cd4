//! Organization ids shown as paths ("Sales / North / Shop 3") in the tables that carry them:
//! the device table of every portal and the key account's users table.

use crate::model::organization::ROOT;

/// Replaces each row's organization id in `field` with the organization's path, for a table
/// a key-account seat reads (the root stays 0, which the table names in the reader's
/// language). Anyone else's rows are left as they are.
#[cfg(feature = "ssr")]
pub async fn name_organizations(
    ctx: &crate::server::state::Ctx,
    principal: &crate::server::auth::principal::Principal,
    page: &mut crate::model::list::Page,
    field: &str,
) -> Result<(), crate::server::error::Error> {
    use crate::{
        model::organization::path_label,
        server::service::{organization, seat::Seat},
    };
    if Seat::me(principal).is_err() {
        return Ok(());
    }
    let orgs = organization::all(ctx, principal).await?;
    for row in &mut page.list {
        match row.get(field).and_then(serde_json::Value::as_i64) {
            Some(id) if id != ROOT => {
                row.insert(field.into(), serde_json::Value::String(path_label(&orgs, id)));
            }
            _ => {}
        }
    }
    Ok(())
}

/// An organization cell: the path [`name_organizations`] put there, the root by name, or a dash.
pub fn organization_cell(v: &serde_json::Value, t: &crate::i18n::Texts) -> String {
    match v {
        serde_json::Value::String(path) => path.clone(),
        serde_json::Value::Number(n) if n.as_i64() == Some(ROOT) => t.root_organization.into(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => "—".into(),
    }
}
