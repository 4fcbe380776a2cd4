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
        permission::{MANAGE_HEAVY_BUYERS, READ_HEAVY_BUYERS},
    },
    server::{
        auth::principal::Principal,
        db::{Executor, Sql, Tx},
        error::{Error, Result},
        scope::Scope,
        service::permission,
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
    /// A corp member acting in one of its corp's heavy buyers (as the original console does
    /// from the corp's side): whether its role manages heavy buyers (`None` for anyone else).
    pub member_manages: Option<bool>,
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
                member_manages: None,
            }),
            Principal::OrgUser(u) => Ok(Seat {
                heavy_buyer_id: u.heavy_buyer_id,
                corp_id: u.corp_id.clone(),
                top: u.organization,
                user_id: Some(u.user_id),
                role: Some(u.role),
                member_manages: None,
            }),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for heavy buyers and their users")),
        }
    }

    /// The heavy buyer or one of its users acting in `account`: a heavy buyer other than its own
    /// reads as missing (404).
    pub fn own(principal: &Principal, account: impl Into<Account>) -> Result<Seat> {
        let me = Self::me(principal)?;
        match account.into() {
            Account::Named(id) if id != me.heavy_buyer_id => {
                Err(ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found").into())
            }
            _ => Ok(me),
        }
    }

    /// The caller acting in `account`: as [`Seat::own`], and also a corp member reading ("read
    /// key accounts") or managing ("manage key accounts") a heavy buyer of its corp as the
    /// account would; another corp's heavy buyer reads as missing.
    pub async fn acting(ctx: &Ctx, principal: &Principal, account: impl Into<Account>) -> Result<Seat> {
        let account = account.into();
        let (Principal::Member(_), Account::Named(heavy_buyer_id)) = (principal, account) else {
            return Self::own(principal, account);
        };
        let me = permission::require(principal, READ_HEAVY_BUYERS)?;
        let found: Option<(i64,)> = ctx
            .db
            .fetch_optional(
                &Sql::new("SELECT id FROM heavy_buyers WHERE id = $1 AND corp_id = $2")
                    .bind(heavy_buyer_id)
                    .bind(me.corp_id.clone()),
            )
            .await?;
        if found.is_none() {
            return Err(ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found").into());
        }
        Ok(Seat {
            heavy_buyer_id,
            corp_id: me.corp_id.clone(),
            top: ROOT,
            user_id: None,
            role: None,
            member_manages: Some(permission::require(principal, MANAGE_HEAVY_BUYERS).is_ok()),
        })
    }

    /// The account, admin users and members whose role manages heavy buyers may change things;
    /// organization members are refused (4031020), other corp members 4031001.
    pub fn can_manage(&self) -> bool {
        self.role != Some(OrgRole::Member) && self.member_manages != Some(false)
    }

    pub fn require_manager(&self) -> Result<()> {
        match (self.member_manages, self.can_manage()) {
            (_, true) => Ok(()),
            (Some(false), _) => Err(ApiError::new(codes::FORBIDDEN, "your role does not allow this").into()),
            _ => Err(needs_admin("needs an organization admin or the heavy-buyer account")),
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
