//! The tenant a read is confined to. Every list and every scoped read of the services takes a
//! [`Scope`], and a scope can only be made from a tenant key (a corp, a heavy buyer, a product
//! whose corp was checked), so a service that forgets its tenant does not compile: there is no
//! "no restriction" value to fall back on, and an empty condition never means "everything".

use sea_query::{Alias, Condition, ConditionExpression, Expr, SimpleExpr, Value};

#[derive(Debug, Clone)]
pub struct Scope(Condition);

/// Rows whose `dealer_scope` is the dealer chain `scope` or one below it, as a key range:
/// codes are letters and digits, which sort after `-`, and the separator `,` sorts before it,
/// so `scope <= x < scope + "-"` holds exactly the chain and its extensions, on an index.
pub fn dealer_chain(scope: &str) -> Condition {
    let col = || Expr::col(Alias::new("dealer_scope"));
    Condition::all().add(col().gte(scope.to_owned())).add(col().lt(format!("{scope}-")))
}

impl Scope {
    /// The rows whose `column` holds the tenant key `key`.
    pub fn tenant(column: &'static str, key: impl Into<Value>) -> Scope {
        Scope(Condition::all().add(Expr::col(Alias::new(column)).eq(SimpleExpr::Value(key.into()))))
    }

    /// A corp's rows (`corp_id`).
    pub fn corp(corp_id: &str) -> Scope {
        Self::tenant("corp_id", corp_id.to_owned())
    }

    /// Every vendor's row of `corps` (`service::vendor`, for the platform operator only: each of
    /// its callers checked `principal.platform()` first). `id IS NOT NULL` says "all" without
    /// an empty condition.
    pub fn every_vendor() -> Scope {
        Scope(Condition::all().add(Expr::col(Alias::new("id")).is_not_null()))
    }

    /// Every vendor's rows of a table keyed by `corp_id` (the platform's lists of end users).
    pub fn every_corp() -> Scope {
        Scope(Condition::all().add(Expr::col(Alias::new("corp_id")).is_not_null()))
    }

    /// A heavy buyer's rows (`heavy_buyer_id`).
    pub fn heavy_buyer(heavy_buyer_id: i64) -> Scope {
        Self::tenant("heavy_buyer_id", heavy_buyer_id)
    }

    /// The scope narrowed further (a dealer's chain, an organization's subtree, one id).
    pub fn and(self, narrower: impl Into<ConditionExpression>) -> Scope {
        Scope(self.0.add(narrower))
    }

    /// The condition to put in a `WHERE`: never empty.
    pub fn into_condition(self) -> Condition {
        self.0
    }

    /// Every row, for the list mechanism's own tests over a one-tenant table (test builds only:
    /// the one scope without a tenant).
    #[cfg(test)]
    pub fn everything() -> Scope {
        Scope(Condition::all())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_query::{Query, SqliteQueryBuilder};

    #[test]
    fn a_scope_always_names_its_tenant() {
        let mut select = Query::select();
        select.column(Alias::new("id")).from(Alias::new("members")).cond_where(Scope::corp("c1").into_condition());
        let (sql, values) = select.build(SqliteQueryBuilder);
        assert!(sql.contains(r#"WHERE "corp_id" = ?"#), "{sql}");
        assert_eq!(values.0.len(), 1);
        let narrowed = Scope::heavy_buyer(7).and(Expr::col(Alias::new("id")).gt(3)).into_condition();
        assert_eq!(narrowed.len(), 2);
    }
}
