//! Who acts inside one heavy buyer ([`Seat`]: the account itself or one of its organization
//! users), the heavy buyer's organization tree as the rules read it, and the lock that
//! serializes changes to that tree. The organization and organization-user services both
//! build on this module; neither imports the other.
//!
//! The heavy-buyer account sees and manages the whole tree. An organization user sees its own
//! organization and everything below it; an admin user (role 1) also manages what is strictly
//! below its organization (its own is the account's to change); a member (role 2) only reads.

use sea_query::{Alias, Expr};

pub use crate::model::organization::Tree;
use crate::{
    model::{
        error::{codes, ApiError},
        organization::{OrgRole, ROOT},
    },
    server::{
        auth::principal::Principal,
        db::{Executor, Sql, Tx},
        error::{Error, Result},
        scope::Scope,
        state::Ctx,
    },
};

/// The heavy buyer a call acts in: the one a `/v2` path names (checked against the caller), or,
/// from the portal, which names none, the caller's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Named(i64),
    Own,
}

impl From<i64> for Account {
    fn from(id: i64) -> Self {
        Account::Named(id)
    }
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

pub fn not_found(at: &str) -> Error {
    ApiError::new(codes::ORGANIZATION_NOT_FOUND, format!("{at}organization not found")).into()
}

pub(super) fn needs_admin(why: &str) -> Error {
    ApiError::new(codes::NEEDS_ORG_ADMIN, why).into()
}

/// Someone acting inside one heavy buyer: the account itself or one of its users.
#[derive(Debug, Clone)]
pub struct Seat {
    pub heavy_buyer_id: i64,
    pub corp_id: String,
    /// The organization the caller sees from: 0 (the whole tree) for the account.
    pub top: i64,
    /// The user, for an organization user; `None` for the account.
    pub user_id: Option<i64>,
    /// The user's role; `None` for the account.
    pub role: Option<OrgRole>,
}

impl Seat {
    /// The caller as an actor in its own heavy buyer; corp members and dealers: 4031001.
    pub fn me(principal: &Principal) -> Result<Seat, ApiError> {
        match principal {
            Principal::HeavyBuyer(h) => Ok(Seat {
                heavy_buyer_id: h.heavy_buyer_id,
                corp_id: h.corp_id.clone(),
                top: ROOT,
                user_id: None,
                role: None,
            }),
            Principal::OrgUser(u) => Ok(Seat {
                heavy_buyer_id: u.heavy_buyer_id,
                corp_id: u.corp_id.clone(),
                top: u.organization,
                user_id: Some(u.user_id),
                role: Some(u.role),
            }),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for heavy buyers and their users")),
        }
    }

    /// The caller acting in `account`: a heavy buyer other than its own reads as missing (404).
    pub fn of(principal: &Principal, account: impl Into<Account>) -> Result<Seat> {
        let me = Self::me(principal)?;
        match account.into() {
            Account::Named(id) if id != me.heavy_buyer_id => {
                Err(ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found").into())
            }
            _ => Ok(me),
        }
    }

    /// The account and admin users may change things; members are refused (4031020).
    pub fn can_manage(&self) -> bool {
        self.role != Some(OrgRole::Member)
    }

    pub fn require_manager(&self) -> Result<()> {
        if self.can_manage() {
            Ok(())
        } else {
            Err(needs_admin("needs an organization admin or the heavy-buyer account"))
        }
    }

    /// Whether `id` is the caller's organization or below it.
    pub fn sees(&self, tree: &Tree, id: i64) -> bool {
        tree.is_within(self.top, id)
    }

    /// An organization the caller may name as a parent or a user's organization: one it sees,
    /// else 404 (what it cannot see does not exist for it).
    pub fn check_visible(&self, tree: &Tree, id: i64, at: &str) -> Result<()> {
        if self.sees(tree, id) {
            Ok(())
        } else {
            Err(not_found(at))
        }
    }

    /// An organization the caller may change, move or delete: one it sees, other than the root
    /// and its own.
    pub(super) fn check_changeable(&self, tree: &Tree, id: i64, at: &str) -> Result<()> {
        if id == ROOT {
            return Err(ApiError::invalid(&format!("{at}id"), "the root organization cannot be changed").into());
        }
        self.check_visible(tree, id, at)?;
        if id == self.top {
            return Err(needs_admin("your own organization is changed by the heavy-buyer account"));
        }
        Ok(())
    }

    /// "In the caller's part of the tree" for a query over `column`.
    pub fn scope(&self, tree: &Tree, column: &str) -> Scope {
        let mine = Scope::heavy_buyer(self.heavy_buyer_id);
        if self.top == ROOT {
            mine
        } else {
            mine.and(col(column).is_in(tree.subtree(self.top)))
        }
    }
}

/// The heavy buyer's organization tree as it stands (in a transaction: as the transaction's own
/// changes left it).
pub async fn tree(ex: impl Into<Executor<'_>>, heavy_buyer_id: i64) -> Result<Tree> {
    let sql = Sql::new("SELECT id, parent FROM organizations WHERE heavy_buyer_id = $1").bind(heavy_buyer_id);
    let rows: Vec<(i64, i64)> = ex.into().fetch_all(&sql).await?;
    Ok(Tree::new(rows))
}

/// Serializes changes to one heavy buyer's tree (and its users) across app servers: the heavy
/// buyer's row is written first, so PostgreSQL holds its row lock and SQLite its write lock
/// until commit. A user is thus never put into an organization deleted at the same moment.
pub async fn lock_tree(ctx: &Ctx, heavy_buyer_id: i64) -> Result<Tx> {
    let mut tx = ctx.db.begin().await?;
    tx.execute(&Sql::new("UPDATE heavy_buyers SET status = status WHERE id = $1").bind(heavy_buyer_id)).await?;
    Ok(tx)
}
