//! The list query language of CONTRACT.md ("Lists"), implemented once for every resource.
//!
//! A resource describes its fields in a static table ([`Resource`]); [`parse`] validates a request
//! body against it into a [`ListQuery`], [`ListQuery::select`] turns that into a count and a page
//! statement, and [`run`] executes both. Identifiers (tables, columns) only ever come from the
//! static table; every request-derived value travels as a bound argument.
//!
//! Key order of `order` is significant, so the crate builds serde_json with `preserve_order`.

use sea_query::{
    Alias, Asterisk, BinOper, Condition, Expr, Func, NullOrdering, Order, Query, SelectStatement, SimpleExpr,
    Value as SqlValue,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

pub use crate::model::resource::{Field, FieldType, Resource};
use crate::model::{lenient, list::Page};
use crate::server::{
    clock,
    db::{Db, Executor},
    error::{ApiError, Result},
    scope::Scope,
};

pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 1000;
/// Most values one `$in` may list: enough for any page, small enough to stay under every
/// backend's bound-parameter limit.
pub const MAX_IN: usize = 500;
/// Longest text accepted as a condition value: far above any stored field, so no legitimate
/// query is refused, yet a hostile body cannot make `LIKE` scan with megabyte patterns.
pub const MAX_TEXT: usize = 1000;
/// Request-supplied names are echoed in error messages only up to this many characters.
const SHOWN: usize = 64;
const TOP_KEYS: [&str; 5] = ["offset", "limit", "filter", "query", "order"];
const COMPARISONS: [(&str, Cmp); 6] =
    [("$eq", Cmp::Eq), ("$ne", Cmp::Ne), ("$lt", Cmp::Lt), ("$lte", Cmp::Lte), ("$gt", Cmp::Gt), ("$gte", Cmp::Gte)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

/// A condition value, already typed as its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Int(i64),
    Str(String),
    Bool(bool),
    /// Epoch milliseconds.
    Time(i64),
}

impl Scalar {
    fn value(&self) -> SqlValue {
        match self {
            Scalar::Int(v) | Scalar::Time(v) => SqlValue::from(*v),
            Scalar::Str(s) => SqlValue::from(s.clone()),
            Scalar::Bool(b) => SqlValue::from(*b),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Compare(Cmp, Scalar),
    /// The `LIKE` pattern, already escaped and wrapped in `%…%`.
    Like(String),
    In(Vec<Scalar>),
    /// `IS NULL` (true) or `IS NOT NULL` (false), from `$eq`/`$ne` with `null` on a nullable field.
    Null(bool),
}

/// One condition of `query`; all of them are ANDed.
#[derive(Debug, Clone)]
pub struct Clause {
    pub field: &'static Field,
    pub test: Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Asc,
    Desc,
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub offset: u64,
    pub limit: u64,
    /// The fields to return, in the order to return them.
    pub projection: Vec<&'static Field>,
    pub clauses: Vec<Clause>,
    /// Ends with `id` ascending unless the request sorted by `id` itself, so pages are stable.
    pub order: Vec<(&'static Field, Dir)>,
}

impl ListQuery {
    /// This query sorted by `field` first when the request chose no order of its own: the
    /// order a resource's list shows by default (a mall by `sequence`, orders newest first).
    pub fn sorted_by_default(mut self, field: &'static Field, dir: Dir) -> ListQuery {
        if self.order.iter().all(|(f, _)| f.column == ROW_ID.column) {
            self.order.retain(|(f, _)| f.column != field.column);
            self.order.insert(0, (field, dir));
        }
        self
    }
}

/// The row id: the `id` column, whether or not the resource shows it (an end user shows its
/// `uid` and keeps its number inside).
pub static ROW_ID: Field = Field::new("id", "id", FieldType::Int);

/// Validates a list request body (see CONTRACT.md "Lists"); a `null` part counts as absent.
pub fn parse(resource: &Resource, body: &Json) -> Result<ListQuery, ApiError> {
    let obj = body.as_object().ok_or_else(|| ApiError::invalid("body", "must be a JSON object"))?;
    if let Some(key) = obj.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
        return Err(ApiError::invalid(&shown(key), "unknown key"));
    }
    let offset = present(obj, "offset").map(|v| integer("offset", v)).transpose()?;
    let limit = present(obj, "limit").map(|v| integer("limit", v)).transpose()?;
    let mut query = from_offset_limit(resource, offset, limit)?;
    if let Some(v) = present(obj, "filter") {
        query.projection = parse_filter(resource, v)?;
    }
    if let Some(v) = present(obj, "query") {
        query.clauses = parse_query(resource, v)?;
    }
    if let Some(v) = present(obj, "order") {
        query.order = parse_order(resource, v)?;
    }
    Ok(query)
}

/// The query of a `GET …?offset=&limit=` list: same bounds, every field, default order.
pub fn from_offset_limit(resource: &Resource, offset: Option<i64>, limit: Option<i64>) -> Result<ListQuery, ApiError> {
    let offset =
        u64::try_from(offset.unwrap_or(0)).map_err(|_| ApiError::invalid("offset", "must be an integer >= 0"))?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", &format!("must be an integer from 1 to {MAX_LIMIT}")));
    }
    Ok(ListQuery {
        offset,
        limit: limit.unsigned_abs(),
        projection: resource.visible().collect(),
        clauses: Vec::new(),
        order: with_tiebreak(resource, Vec::new()),
    })
}

fn present<'a>(obj: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    obj.get(key).filter(|v| !v.is_null())
}

/// A JSON integer; `10.0`, `"10"` and integers beyond i64 are refused.
fn integer(path: &str, v: &Json) -> Result<i64, ApiError> {
    v.as_i64().ok_or_else(|| ApiError::invalid(path, "must be an integer"))
}

/// A request-supplied name cut to a readable length for an error message.
fn shown(name: &str) -> String {
    name.chars().take(SHOWN).collect()
}

/// Finds a field a request names; unknown and secret fields are both refused.
fn lookup(resource: &Resource, section: &str, name: &str) -> Result<&'static Field, ApiError> {
    match resource.named(name) {
        Some(field) if !field.secret => Ok(field),
        Some(_) => Err(ApiError::invalid(&format!("{section}.{name}"), "field not allowed")),
        None => Err(ApiError::invalid(&format!("{section}.{}", shown(name)), "unknown field")),
    }
}

/// `filter`: field names, duplicates ignored; an empty array means every field, like absent.
fn parse_filter(resource: &Resource, v: &Json) -> Result<Vec<&'static Field>, ApiError> {
    let names = v.as_array().ok_or_else(|| ApiError::invalid("filter", "must be an array of field names"))?;
    let mut projection: Vec<&'static Field> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let name = name.as_str().ok_or_else(|| ApiError::invalid(&format!("filter[{i}]"), "must be a field name"))?;
        let field = lookup(resource, "filter", name)?;
        if !projection.iter().any(|f| f.name == field.name) {
            projection.push(field);
        }
    }
    if projection.is_empty() {
        projection = resource.visible().collect();
    }
    Ok(projection)
}

/// `query`: field -> bare value (`$eq`) or an object of operators.
fn parse_query(resource: &Resource, v: &Json) -> Result<Vec<Clause>, ApiError> {
    let obj = v.as_object().ok_or_else(|| ApiError::invalid("query", "must be an object"))?;
    let mut clauses = Vec::new();
    for (name, condition) in obj {
        let field = lookup(resource, "query", name)?;
        let path = format!("query.{}", field.name);
        if !field.queryable {
            return Err(ApiError::invalid(&path, "cannot be queried"));
        }
        match condition {
            Json::Object(ops) if ops.is_empty() => {
                return Err(ApiError::invalid(&path, "needs an operator"));
            }
            Json::Object(ops) => {
                for (op, arg) in ops {
                    clauses.push(Clause { field, test: parse_op(field, &path, op, arg)? });
                }
            }
            Json::Null if field.nullable => clauses.push(Clause { field, test: Test::Null(true) }),
            bare => clauses.push(Clause { field, test: Test::Compare(Cmp::Eq, scalar(field, &path, bare)?) }),
        }
    }
    Ok(clauses)
}

fn parse_op(field: &Field, path: &str, op: &str, arg: &Json) -> Result<Test, ApiError> {
    let at = format!("{path}.{}", shown(op));
    if let Some((_, cmp)) = COMPARISONS.iter().find(|(name, _)| *name == op) {
        if arg.is_null() && field.nullable && matches!(cmp, Cmp::Eq | Cmp::Ne) {
            return Ok(Test::Null(*cmp == Cmp::Eq));
        }
        return Ok(Test::Compare(*cmp, scalar(field, &at, arg)?));
    }
    match op {
        "$like" => like_test(field, &at, arg),
        "$in" => in_test(field, &at, arg),
        _ => Err(ApiError::invalid(&at, "unknown operator")),
    }
}

fn like_test(field: &Field, at: &str, arg: &Json) -> Result<Test, ApiError> {
    if !field.ty.is_text() {
        return Err(ApiError::invalid(at, "$like applies to text fields only"));
    }
    match scalar(field, at, arg)? {
        Scalar::Str(text) => Ok(Test::Like(like_pattern(&text))),
        _ => Err(ApiError::invalid(at, "must be a string")),
    }
}

fn in_test(field: &Field, at: &str, arg: &Json) -> Result<Test, ApiError> {
    let items = arg.as_array().ok_or_else(|| ApiError::invalid(at, "must be an array"))?;
    if items.len() > MAX_IN {
        return Err(ApiError::invalid(at, &format!("at most {MAX_IN} values")));
    }
    let values = items
        .iter()
        .enumerate()
        .map(|(i, item)| scalar(field, &format!("{at}[{i}]"), item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Test::In(values))
}

/// A condition value typed as its field.
fn scalar(field: &Field, at: &str, v: &Json) -> Result<Scalar, ApiError> {
    let typed = match (field.ty, v) {
        (FieldType::Int, Json::Number(n)) => n.as_i64().map(Scalar::Int),
        // The original console sends ids from its URLs as strings (`{"id": {"$in": ["12"]}}`).
        (FieldType::Int, Json::String(s)) => lenient::parse_int(s).map(Scalar::Int),
        (ty, Json::String(s)) if ty.is_text() && s.chars().count() <= MAX_TEXT => Some(Scalar::Str(s.clone())),
        (FieldType::Bool, Json::Bool(b)) => Some(Scalar::Bool(*b)),
        (FieldType::Time, Json::String(s)) => clock::parse_iso(s).map(Scalar::Time),
        _ => None,
    };
    typed.ok_or_else(|| ApiError::invalid(at, expected(field.ty)))
}

fn expected(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Int => "must be an integer",
        FieldType::Str | FieldType::Tags | FieldType::Json => "must be a string of at most 1000 characters",
        FieldType::Bool => "must be a boolean",
        FieldType::Time => "must be an ISO 8601 time",
    }
}

/// `%text%` with `\`, `%` and `_` escaped by `\`, so the user's text matches literally.
/// Case folding happens in SQL (`LOWER` on both sides), so each backend folds both sides alike.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `order`: field -> "asc" | "desc", in the order given.
fn parse_order(resource: &Resource, v: &Json) -> Result<Vec<(&'static Field, Dir)>, ApiError> {
    let obj = v.as_object().ok_or_else(|| ApiError::invalid("order", "must be an object"))?;
    let mut order = Vec::with_capacity(obj.len() + 1);
    for (name, dir) in obj {
        let field = lookup(resource, "order", name)?;
        let path = format!("order.{}", field.name);
        if !field.sortable {
            return Err(ApiError::invalid(&path, "cannot be sorted"));
        }
        let dir = match dir.as_str() {
            Some(d) if d.eq_ignore_ascii_case("asc") => Dir::Asc,
            Some(d) if d.eq_ignore_ascii_case("desc") => Dir::Desc,
            _ => return Err(ApiError::invalid(&path, "must be \"asc\" or \"desc\"")),
        };
        order.push((field, dir));
    }
    Ok(with_tiebreak(resource, order))
}

/// Appends the row id ascending ([`ROW_ID`]) so rows that tie on the requested keys keep one
/// order across pages.
fn with_tiebreak(resource: &Resource, mut order: Vec<(&'static Field, Dir)>) -> Vec<(&'static Field, Dir)> {
    let id = resource.visible().find(|f| f.column == "id").unwrap_or(&ROW_ID);
    if !order.iter().any(|(f, _)| f.column == id.column) {
        order.push((id, Dir::Asc));
    }
    order
}

impl Clause {
    fn expr(&self) -> SimpleExpr {
        let col = Expr::col(Alias::new(self.field.column));
        match &self.test {
            Test::Compare(cmp, v) => compare(col, *cmp, v.value()),
            Test::Like(pattern) => like(col, pattern),
            // `IN ()` is not valid SQL everywhere; an empty set matches nothing.
            Test::In(values) if values.is_empty() => Expr::val(1).eq(0),
            Test::In(values) => col.is_in(values.iter().map(Scalar::value)),
            Test::Null(true) => col.is_null(),
            Test::Null(false) => col.is_not_null(),
        }
    }
}

fn compare(col: Expr, cmp: Cmp, v: SqlValue) -> SimpleExpr {
    match cmp {
        Cmp::Eq => col.eq(v),
        Cmp::Ne => col.ne(v),
        Cmp::Lt => col.lt(v),
        Cmp::Lte => col.lte(v),
        Cmp::Gt => col.gt(v),
        Cmp::Gte => col.gte(v),
    }
}

/// `LOWER(col) LIKE LOWER(?) ESCAPE '\'`: the pattern is bound, only the escape character is
/// inline (a constant of ours).
fn like(col: Expr, pattern: &str) -> SimpleExpr {
    let escape = SimpleExpr::Constant(SqlValue::Char(Some('\\')));
    let lowered = SimpleExpr::from(Func::lower(Expr::val(pattern.to_owned())));
    let right = SimpleExpr::Binary(Box::new(lowered), BinOper::Escape, Box::new(escape));
    SimpleExpr::Binary(Box::new(SimpleExpr::from(Func::lower(col))), BinOper::Like, Box::new(right))
}

impl ListQuery {
    /// The user's conditions ANDed with the service's `scope`, which always names a tenant.
    pub fn condition(&self, scope: Scope) -> Condition {
        self.narrow(scope).into_condition()
    }

    /// `scope` narrowed by the user's conditions.
    pub fn narrow(&self, scope: Scope) -> Scope {
        self.clauses.iter().fold(scope, |scope, clause| scope.and(clause.expr()))
    }

    /// The count statement (`SELECT COUNT(*) AS count …`) and the page statement (every
    /// non-secret column, ordered, limited).
    ///
    /// The page picks its ids first and reads the rows second: `… WHERE id IN (SELECT id …
    /// ORDER BY … LIMIT … OFFSET …) ORDER BY …`. The inner query usually runs on an index alone
    /// (the filter's and order's columns plus the id), so sorting thousands of matches or
    /// skipping a deep offset moves index entries, not whole rows; only the page's rows are
    /// read from the table (BENCHMARKS.md).
    pub fn select(&self, resource: &Resource, scope: Scope) -> (SelectStatement, SelectStatement) {
        let condition = self.condition(scope);
        let table = Alias::new(resource.table);
        let mut count = Query::select();
        count.expr_as(Func::count(Expr::col(Asterisk)), Alias::new("count")).from(table.clone());
        let mut ids = Query::select();
        ids.column(Alias::new("id")).from(table.clone());
        // Never empty in a service (a scope names its tenant); the list's own tests read all.
        if !condition.is_empty() {
            count.cond_where(condition.clone());
            ids.cond_where(condition);
        }
        self.order_by(&mut ids);
        ids.limit(self.limit).offset(self.offset);
        let mut page = Query::select();
        page.columns(resource.visible().map(|f| Alias::new(f.column)))
            .from(table)
            .and_where(Expr::col(Alias::new("id")).in_subquery(ids));
        self.order_by(&mut page);
        (count, page)
    }

    fn order_by(&self, select: &mut SelectStatement) {
        for (field, dir) in &self.order {
            let order = match dir {
                Dir::Asc => Order::Asc,
                Dir::Desc => Order::Desc,
            };
            if field.nullable {
                // SQLite sorts NULL first ascending, PostgreSQL last: say it, so both agree.
                let nulls = if *dir == Dir::Asc { NullOrdering::First } else { NullOrdering::Last };
                select.order_by_with_nulls(Alias::new(field.column), order, nulls);
            } else {
                select.order_by(Alias::new(field.column), order);
            }
        }
    }
}

/// Runs a list: the count, then the page, each row read as the resource's fields and cut down
/// to the projected fields in the projection's order.
pub async fn run(db: &Db, resource: &Resource, query: &ListQuery, scope: Scope) -> Result<Page> {
    run_counted(db, resource, query, scope, None).await
}

/// [`run`], with the count already known when the service keeps it (see `service::device`).
pub async fn run_counted(
    db: &Db,
    resource: &Resource,
    query: &ListQuery,
    scope: Scope,
    known_count: Option<i64>,
) -> Result<Page> {
    let (count_stmt, page_stmt) = query.select(resource, scope);
    let count = match known_count {
        Some(count) => count,
        None => db.fetch_one::<(i64,)>(&count_stmt).await?.0,
    };
    // Past the last match there is nothing to fetch: spare the second round trip.
    if query.offset >= u64::try_from(count).unwrap_or(0) {
        return Ok(Page { count, list: Vec::new() });
    }
    let fields: Vec<&Field> = resource.visible().collect();
    let rows = db.fetch_maps(&page_stmt, &fields).await?;
    let list = rows.into_iter().map(|row| project(resource, &query.projection, row)).collect();
    Ok(Page { count, list })
}

/// `SELECT` of a resource's listed columns within `scope`: a read of whole records (add the
/// order and limit a caller needs).
pub fn select_records(resource: &Resource, scope: Scope) -> SelectStatement {
    let mut select = Query::select();
    select
        .columns(resource.visible().map(|f| Alias::new(f.column)))
        .from(Alias::new(resource.table))
        .cond_where(scope.into_condition());
    select
}

/// The record of `resource` with `id` inside `scope`, as its wire type; `None` when there is
/// none there (another tenant's reads exactly as a missing one). Read in a transaction, it is
/// the record as the transaction's own changes left it.
pub async fn find<T: DeserializeOwned + Send>(
    ex: impl Into<Executor<'_>>,
    resource: &Resource,
    scope: Scope,
    id: i64,
) -> Result<Option<T>> {
    let select = select_records(resource, scope.and(Expr::col(Alias::new("id")).eq(id)));
    Ok(ex.into().fetch_record(&select, resource).await?)
}

/// A row cut down to the projection, in its order; an alias reads its field's value.
fn project(resource: &Resource, projection: &[&'static Field], row: Map<String, Json>) -> Map<String, Json> {
    projection
        .iter()
        .filter_map(|f| {
            let source = resource.visible().find(|v| v.column == f.column).map_or(f.name, |v| v.name);
            row.get(source).map(|v| (f.name.to_owned(), v.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::{
        cmp::Ordering,
        sync::OnceLock,
        time::{SystemTime, UNIX_EPOCH},
    };

    use proptest::{collection::vec, prelude::*, sample::select};
    use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use serde_json::json;

    use super::*;
    use crate::server::db::Sql;

    static RES: Resource = Resource {
        name: "probe",
        table: "res",
        fields: &[
            Field::new("id", "id", FieldType::Int),
            Field::new("name", "name", FieldType::Str),
            Field::new("status", "status", FieldType::Int),
            Field::new("enabled", "enabled", FieldType::Bool),
            Field::new("create_time", "created_ms", FieldType::Time),
            Field::new("note", "note", FieldType::Str).listed_only(),
            Field::secret("password", "password_hash"),
        ],
        aliases: &[Field::new("title", "name", FieldType::Str)],
    };

    fn refused(body: Json, needle: &str) {
        match parse(&RES, &body) {
            Ok(query) => panic!("accepted {body}: {query:?}"),
            Err(e) => {
                assert_eq!(e.code, 4001001, "{body}");
                assert!(e.msg.contains(needle), "{body} answered {:?}, which does not name {needle:?}", e.msg);
            }
        }
    }

    fn accepted(body: Json) -> ListQuery {
        parse(&RES, &body).unwrap_or_else(|e| panic!("refused {body}: {e}"))
    }

    fn names(fields: &[&'static Field]) -> Vec<&'static str> {
        fields.iter().map(|f| f.name).collect()
    }

    fn order_of(query: &ListQuery) -> Vec<(&'static str, Dir)> {
        query.order.iter().map(|(f, d)| (f.name, *d)).collect()
    }

    fn sqlite(stmt: &SelectStatement) -> (String, Vec<SqlValue>) {
        let (sql, values) = stmt.build(SqliteQueryBuilder);
        (sql, values.0)
    }

    #[test]
    fn an_empty_body_takes_the_defaults() {
        let query = accepted(json!({}));
        assert_eq!((query.offset, query.limit), (0, 10));
        assert_eq!(names(&query.projection), ["id", "name", "status", "enabled", "create_time", "note"]);
        assert!(query.clauses.is_empty());
        assert_eq!(order_of(&query), [("id", Dir::Asc)]);
        let nulls = accepted(json!({"offset": null, "limit": null, "filter": null, "query": null, "order": null}));
        assert_eq!((nulls.offset, nulls.limit), (0, 10));
    }

    #[test]
    fn unknown_and_injected_names_are_refused() {
        let evil = "name; DROP TABLE x";
        refused(json!({"query": {"nope": 1}}), "query.nope");
        refused(json!({"filter": ["id", "nope"]}), "filter.nope");
        refused(json!({"order": {"nope": "asc"}}), "order.nope");
        refused(json!({ "query": { evil: "a" } }), evil);
        refused(json!({ "filter": [evil] }), evil);
        refused(json!({ "order": { evil: "asc" } }), evil);
        refused(json!({"filter": [1]}), "filter[0]");
        refused(json!({"filter": "id"}), "filter");
        refused(json!({"query": ["name"]}), "query");
        refused(json!({"order": ["id"]}), "order");
        // A huge name is named, but not echoed in full.
        let long = "x".repeat(10_000);
        let e = parse(&RES, &json!({ "query": { long: 1 } })).expect_err("unknown field");
        assert!(e.msg.len() < 200, "{}", e.msg.len());
    }

    #[test]
    fn operators_are_checked() {
        refused(json!({"query": {"name": {"$regex": "a"}}}), "$regex");
        refused(json!({"query": {"name": {"$where": "1=1"}}}), "query.name");
        refused(json!({"query": {"status": {"$like": "1"}}}), "status");
        refused(json!({"query": {"create_time": {"$like": "2024"}}}), "create_time");
        refused(json!({"query": {"name": {}}}), "name");
        refused(json!({"query": {"note": "x"}}), "note");
        refused(json!({"order": {"note": "asc"}}), "note");
    }

    #[test]
    fn values_must_have_the_field_type() {
        refused(json!({"query": {"status": "one"}}), "status");
        refused(json!({"query": {"status": 1.5}}), "status");
        refused(json!({"query": {"status": "1.5"}}), "status");
        refused(json!({"query": {"status": {"$gt": " 1"}}}), "status");
        refused(json!({"query": {"status": {"$in": [1, "2x"]}}}), "status");
        refused(json!({"query": {"status": {"$in": 1}}}), "status");
        refused(json!({"query": {"name": 5}}), "name");
        refused(json!({"query": {"name": {"$like": 5}}}), "name");
        refused(json!({"query": {"name": null}}), "name");
        refused(json!({"query": {"name": "x".repeat(1001)}}), "name");
        refused(json!({"query": {"enabled": "true"}}), "enabled");
        refused(json!({"query": {"enabled": 1}}), "enabled");
        refused(json!({"query": {"create_time": "yesterday"}}), "create_time");
        refused(json!({"query": {"create_time": 1_700_000_000_000_i64}}), "create_time");

        let query = accepted(json!({"query": {
            "status": 1,
            "enabled": false,
            "name": {"$like": "Ab", "$ne": "x"},
            "create_time": {"$gte": "2024-01-01T00:00:00.000Z"}
        }}));
        let got: Vec<(&str, Test)> = query.clauses.iter().map(|c| (c.field.name, c.test.clone())).collect();
        let want = [
            ("status", Test::Compare(Cmp::Eq, Scalar::Int(1))),
            ("enabled", Test::Compare(Cmp::Eq, Scalar::Bool(false))),
            ("name", Test::Like("%Ab%".to_owned())),
            ("name", Test::Compare(Cmp::Ne, Scalar::Str("x".to_owned()))),
            ("create_time", Test::Compare(Cmp::Gte, Scalar::Time(1_704_067_200_000))),
        ];
        assert_eq!(got.len(), want.len());
        for clause in want {
            assert!(got.contains(&clause), "{clause:?} missing from {got:?}");
        }

        // The original console's ids from its URLs: a string holding exactly an integer.
        let query = accepted(json!({"query": {"id": {"$in": ["12", 13]}, "status": "0"}}));
        let got: Vec<Test> = query.clauses.iter().map(|c| c.test.clone()).collect();
        assert_eq!(got, [Test::In(vec![Scalar::Int(12), Scalar::Int(13)]), Test::Compare(Cmp::Eq, Scalar::Int(0))]);
    }

    #[test]
    fn secret_fields_are_refused_everywhere_and_never_selected() {
        refused(json!({"filter": ["id", "password"]}), "password");
        refused(json!({"query": {"password": "x"}}), "password");
        refused(json!({"query": {"password": {"$like": "x"}}}), "password");
        refused(json!({"order": {"password": "asc"}}), "password");
        let (_, page) = accepted(json!({})).select(&RES, Scope::everything());
        assert!(!sqlite(&page).0.contains("password"));
    }

    #[test]
    fn in_takes_at_most_500_values() {
        let too_many: Vec<i64> = (0..501).collect();
        refused(json!({"query": {"status": {"$in": too_many}}}), "status");
        let enough: Vec<i64> = (0..500).collect();
        let query = accepted(json!({"query": {"status": {"$in": enough}}}));
        assert!(matches!(&query.clauses[0].test, Test::In(v) if v.len() == 500));
    }

    #[test]
    fn paging_is_bounded() {
        for bad in [json!(0), json!(1001), json!(-1), json!("10"), json!(10.5), json!(true)] {
            refused(json!({ "limit": bad }), "limit");
        }
        refused(json!({"offset": -1}), "offset");
        refused(json!({"offset": "0"}), "offset");
        let query = accepted(json!({"offset": 5, "limit": 1000}));
        assert_eq!((query.offset, query.limit), (5, 1000));
        assert_eq!(accepted(json!({"limit": 1})).limit, 1);

        let plain = from_offset_limit(&RES, None, None).expect("defaults");
        assert_eq!((plain.offset, plain.limit), (0, 10));
        assert_eq!(order_of(&plain), [("id", Dir::Asc)]);
        for (offset, limit, named) in
            [(Some(-1), None, "offset"), (None, Some(0), "limit"), (None, Some(1001), "limit")]
        {
            let e = from_offset_limit(&RES, offset, limit).expect_err("out of range");
            assert_eq!(e.code, 4001001);
            assert!(e.msg.contains(named), "{}", e.msg);
        }
    }

    #[test]
    fn the_body_must_be_an_object_of_known_keys() {
        for body in [json!([]), json!("x"), json!(null), json!(1)] {
            refused(body, "body");
        }
        refused(json!({"limit": 10, "where": {}}), "where");
    }

    #[test]
    fn order_keeps_the_given_keys_then_id() {
        refused(json!({"order": {"name": "up"}}), "order.name");
        refused(json!({"order": {"name": 1}}), "order.name");
        // Key order below needs serde_json's `preserve_order`.
        let query = accepted(json!({"order": {"status": "desc", "name": "ASC"}}));
        assert_eq!(order_of(&query), [("status", Dir::Desc), ("name", Dir::Asc), ("id", Dir::Asc)]);
        let query = accepted(json!({"order": {"id": "desc", "name": "asc"}}));
        assert_eq!(order_of(&query), [("id", Dir::Desc), ("name", Dir::Asc)]);
    }

    #[test]
    fn filter_ignores_duplicates_and_empty_means_all() {
        assert_eq!(names(&accepted(json!({"filter": ["name", "id", "name"]})).projection), ["name", "id"]);
        assert_eq!(names(&accepted(json!({"filter": []})).projection).len(), 6);
    }

    #[test]
    fn an_alias_names_its_field_everywhere_and_lists_under_its_own_name() {
        let query = accepted(
            json!({"filter": ["id", "title"], "query": {"title": {"$like": "a"}}, "order": {"title": "desc"}}),
        );
        assert_eq!(names(&query.projection), ["id", "title"]);
        assert_eq!(query.clauses[0].field.column, "name");
        assert_eq!(query.order[0].0.column, "name");
        let row: Map<String, Json> =
            [("id".to_owned(), json!(1)), ("name".to_owned(), json!("ab"))].into_iter().collect();
        assert_eq!(Json::Object(project(&RES, &query.projection, row)), json!({"id": 1, "title": "ab"}));
        // Never part of the default projection.
        assert!(!names(&accepted(json!({})).projection).contains(&"title"));
    }

    #[test]
    fn like_binds_an_escaped_pattern() {
        let query = accepted(json!({"query": {"name": {"$like": "50%_a\\b"}}}));
        let (count, page) = query.select(&RES, Scope::everything());
        let pattern = SqlValue::from("%50\\%\\_a\\\\b%".to_owned());
        let (sql, values) = sqlite(&count);
        assert_eq!(sql, r#"SELECT COUNT(*) AS "count" FROM "res" WHERE LOWER("name") LIKE LOWER(?) ESCAPE '\'"#);
        assert_eq!(values, [pattern.clone()]);
        let (sql, values) = sqlite(&page);
        assert_eq!(
            sql,
            r#"SELECT "id", "name", "status", "enabled", "created_ms", "note" FROM "res" WHERE "id" IN (SELECT "id" FROM "res" WHERE LOWER("name") LIKE LOWER(?) ESCAPE '\' ORDER BY "id" ASC LIMIT ? OFFSET ?) ORDER BY "id" ASC"#
        );
        assert_eq!(values, [pattern, SqlValue::from(10u64), SqlValue::from(0u64)]);
        let (sql, _) = count.build(PostgresQueryBuilder);
        assert!(sql.ends_with(r#"WHERE LOWER("name") LIKE LOWER($1) ESCAPE E'\\'"#), "{sql}");
    }

    #[test]
    fn scope_conditions_and_order_are_combined() {
        // Query keys in alphabetical order, so the SQL is the same with or without preserve_order.
        let query = accepted(json!({
            "offset": 10, "limit": 5, "filter": ["name"],
            "query": {"enabled": true, "status": {"$in": [1, 2]}},
            "order": {"create_time": "desc"}
        }));
        let (count, page) = query.select(&RES, Scope::corp("c1"));
        let filter = r#"WHERE "corp_id" = ? AND "enabled" = ? AND "status" IN (?, ?)"#;
        let args = [SqlValue::from("c1".to_owned()), SqlValue::from(true), SqlValue::from(1i64), SqlValue::from(2i64)];
        let (sql, values) = sqlite(&count);
        assert_eq!(sql, format!(r#"SELECT COUNT(*) AS "count" FROM "res" {filter}"#));
        assert_eq!(values, args);
        let (sql, values) = sqlite(&page);
        assert_eq!(
            sql,
            format!(
                r#"SELECT "id", "name", "status", "enabled", "created_ms", "note" FROM "res" WHERE "id" IN (SELECT "id" FROM "res" {filter} ORDER BY "created_ms" DESC, "id" ASC LIMIT ? OFFSET ?) ORDER BY "created_ms" DESC, "id" ASC"#
            )
        );
        assert_eq!(values[..4], args);
        assert_eq!(values[4..], [SqlValue::from(5u64), SqlValue::from(10u64)]);
    }

    #[test]
    fn empty_sets_match_nothing() {
        let query = accepted(json!({"query": {"status": {"$in": []}}}));
        let (sql, values) = sqlite(&query.select(&RES, Scope::everything()).0);
        assert_eq!(sql, r#"SELECT COUNT(*) AS "count" FROM "res" WHERE ? = ?"#);
        assert_eq!(values, [SqlValue::from(1i32), SqlValue::from(0i32)]);
        // A tenant scope is always part of the statement.
        let (sql, _) = sqlite(&accepted(json!({})).select(&RES, Scope::corp("c1")).0);
        assert_eq!(sql, r#"SELECT COUNT(*) AS "count" FROM "res" WHERE "corp_id" = ?"#);
    }

    // ---- Property: the database agrees with a plain in-memory model. ----

    static PROBE: Resource = Resource {
        name: "probe",
        table: "list_probe",
        fields: &[
            Field::new("id", "id", FieldType::Int),
            Field::new("name", "name", FieldType::Str),
            Field::new("score", "score", FieldType::Int),
            Field::new("flag", "flag", FieldType::Bool),
            Field::new("at", "at", FieldType::Time),
        ],
        aliases: &[],
    };
    const PROBE_NAMES: [&str; 5] = ["id", "name", "score", "flag", "at"];
    const OPS: [&str; 6] = ["$eq", "$ne", "$lt", "$gte", "$in", "$like"];
    /// Names mix cases and LIKE's special characters, so escaping and case folding are exercised.
    const ALPHABET: &[char] = &['a', 'A', 'b', 'B', '%', '_', '\\'];
    const BASE_MS: i64 = 1_700_000_000_000;

    #[derive(Debug, Clone, sqlx::FromRow)]
    struct ProbeRow {
        id: i64,
        name: String,
        score: i64,
        flag: bool,
        at: i64,
    }

    /// (name, score, flag, at ms): one row's values, or one condition's.
    type Sample = (String, i64, bool, i64);

    /// `OPS[op]` on `PROBE_NAMES[field]` (never `id`); `$in` uses all values, others the first.
    #[derive(Debug, Clone)]
    struct PCond {
        field: usize,
        op: usize,
        values: Vec<Sample>,
    }

    #[derive(Debug, Clone)]
    struct Case {
        conds: Vec<PCond>,
        order: Vec<(usize, bool)>,
        filter: Vec<usize>,
        scope: Option<bool>,
        offset: i64,
        limit: i64,
    }

    fn sample_strategy() -> impl Strategy<Value = Sample> {
        let name = vec(select(ALPHABET), 0..4).prop_map(|cs| cs.into_iter().collect::<String>());
        (name, -3i64..3, any::<bool>(), (0i64..4).prop_map(|k| BASE_MS + k * 1000))
    }

    fn cond_strategy() -> impl Strategy<Value = PCond> {
        (1usize..5, 0usize..OPS.len(), vec(sample_strategy(), 0..4), sample_strategy()).prop_map(
            |(field, op, many, one)| {
                // `$like` is for text only: elsewhere it becomes `$eq`.
                let op = if OPS[op] == "$like" && field != 1 { 0 } else { op };
                let values = if OPS[op] == "$in" { many } else { vec![one] };
                PCond { field, op, values }
            },
        )
    }

    fn case_strategy() -> impl Strategy<Value = Case> {
        let parts = (
            vec(cond_strategy(), 0..4),
            vec((0usize..5, any::<bool>()), 0..3),
            vec(0usize..5, 0..4),
            proptest::option::of(any::<bool>()),
        );
        (parts, 0i64..30, 1i64..12).prop_map(|((conds, order, filter, scope), offset, limit)| {
            let mut filter = dedupe(filter, |f| *f);
            // Keep `id` in the projection so the page can be compared by ids.
            if !filter.is_empty() && !filter.contains(&0) {
                filter.push(0);
            }
            let conds = dedupe(conds, |c| (c.field, c.op));
            Case { conds, order: dedupe(order, |o| o.0), filter, scope, offset, limit }
        })
    }

    fn dedupe<T, K: PartialEq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
        let mut out: Vec<T> = Vec::new();
        for item in items {
            if !out.iter().any(|o| key(o) == key(&item)) {
                out.push(item);
            }
        }
        out
    }

    /// Rows with ids that are unique but not in insertion order.
    fn numbered(samples: Vec<Sample>) -> Vec<ProbeRow> {
        let rows = samples.into_iter().enumerate();
        rows.map(|(i, (name, score, flag, at))| ProbeRow { id: (i as i64 * 37) % 101 + 1, name, score, flag, at })
            .collect()
    }

    /// A comparable key of one field: numbers and booleans in `.0`, text in `.1`.
    fn row_key(r: &ProbeRow, field: usize) -> (i64, String) {
        match field {
            0 => (r.id, String::new()),
            _ => sample_key(&(r.name.clone(), r.score, r.flag, r.at), field),
        }
    }

    fn sample_key(s: &Sample, field: usize) -> (i64, String) {
        match field {
            1 => (0, s.0.clone()),
            2 => (s.1, String::new()),
            3 => (i64::from(s.2), String::new()),
            _ => (s.3, String::new()),
        }
    }

    fn value_json(s: &Sample, field: usize) -> Json {
        match field {
            1 => json!(s.0),
            2 => json!(s.1),
            3 => json!(s.2),
            _ => json!(clock::iso(s.3)),
        }
    }

    fn holds(r: &ProbeRow, c: &PCond) -> bool {
        let key = row_key(r, c.field);
        let first = || sample_key(&c.values[0], c.field);
        match OPS[c.op] {
            "$eq" => key == first(),
            "$ne" => key != first(),
            "$lt" => key < first(),
            "$gte" => key >= first(),
            "$in" => c.values.iter().any(|s| sample_key(s, c.field) == key),
            _ => r.name.to_ascii_lowercase().contains(&c.values[0].0.to_ascii_lowercase()),
        }
    }

    impl Case {
        fn body(&self) -> Json {
            let mut query = Map::new();
            for c in &self.conds {
                let name = PROBE_NAMES[c.field];
                let arg = match OPS[c.op] {
                    "$in" => Json::Array(c.values.iter().map(|s| value_json(s, c.field)).collect()),
                    _ => value_json(&c.values[0], c.field),
                };
                // A lone `$eq` goes bare, so both spellings are exercised.
                let alone = self.conds.iter().filter(|o| o.field == c.field).count() == 1;
                if OPS[c.op] == "$eq" && alone {
                    query.insert(name.to_owned(), arg);
                } else if let Json::Object(ops) = query.entry(name).or_insert_with(|| json!({})) {
                    ops.insert(OPS[c.op].to_owned(), arg);
                }
            }
            let order: Map<String, Json> = self
                .order
                .iter()
                .map(|&(f, desc)| (PROBE_NAMES[f].to_owned(), json!(if desc { "desc" } else { "asc" })))
                .collect();
            let mut body = json!({"offset": self.offset, "limit": self.limit, "query": query, "order": order});
            if !self.filter.is_empty() {
                body["filter"] = json!(self.filter.iter().map(|&f| PROBE_NAMES[f]).collect::<Vec<_>>());
            }
            body
        }

        fn expected_keys(&self) -> Vec<&'static str> {
            if self.filter.is_empty() {
                PROBE_NAMES.to_vec()
            } else {
                self.filter.iter().map(|&f| PROBE_NAMES[f]).collect()
            }
        }

        /// The count and the page's ids, by plain filtering, stable sorting and slicing.
        fn expect(&self, rows: &[ProbeRow]) -> (i64, Vec<i64>) {
            let mut hits: Vec<&ProbeRow> = rows
                .iter()
                .filter(|r| self.scope.is_none_or(|flag| r.flag == flag))
                .filter(|r| self.conds.iter().all(|c| holds(r, c)))
                .collect();
            let mut keys = self.order.clone();
            if !keys.iter().any(|&(f, _)| f == 0) {
                keys.push((0, false));
            }
            hits.sort_by(|a, b| {
                let mut by_key = keys.iter().map(|&(f, desc)| {
                    let o = row_key(a, f).cmp(&row_key(b, f));
                    if desc {
                        o.reverse()
                    } else {
                        o
                    }
                });
                by_key.find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
            });
            let ids = hits.iter().skip(self.offset as usize).take(self.limit as usize).map(|r| r.id);
            (hits.len() as i64, ids.collect())
        }
    }

    struct Harness {
        rt: tokio::runtime::Runtime,
        db: Db,
    }

    /// One runtime and one database for all cases: a named shared-cache in-memory database, so
    /// every pooled connection sees the same tables.
    fn harness() -> &'static Harness {
        static HARNESS: OnceLock<Harness> = OnceLock::new();
        HARNESS.get_or_init(|| {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
            let url = format!("sqlite:file:listprobe_{}_{nanos}?mode=memory&cache=shared", std::process::id());
            let db = rt.block_on(async {
                let db = Db::connect(&url).await.expect("connect");
                let create = "CREATE TABLE list_probe (id INTEGER PRIMARY KEY, name TEXT NOT NULL, \
                              score BIGINT NOT NULL, flag BOOLEAN NOT NULL, at BIGINT NOT NULL)";
                db.execute(&Sql::new(create)).await.expect("create list_probe");
                db
            });
            Harness { rt, db }
        })
    }

    async fn run_case(db: &Db, rows: &[ProbeRow], case: &Case) -> Result<Page, String> {
        db.execute(&Sql::new("DELETE FROM list_probe")).await.map_err(|e| e.to_string())?;
        for r in rows {
            let insert = Sql::new("INSERT INTO list_probe (id, name, score, flag, at) VALUES ($1, $2, $3, $4, $5)");
            let insert = insert.bind(r.id).bind(r.name.clone()).bind(r.score).bind(r.flag).bind(r.at);
            db.execute(&insert).await.map_err(|e| e.to_string())?;
        }
        let query = parse(&PROBE, &case.body()).map_err(|e| e.to_string())?;
        let scope = match case.scope {
            Some(flag) => Scope::tenant("flag", flag),
            None => Scope::everything(),
        };
        run(db, &PROBE, &query, scope).await.map_err(|e| e.to_string())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn lists_agree_with_a_plain_model(samples in vec(sample_strategy(), 0..25), case in case_strategy()) {
            let rows = numbered(samples);
            let harness = harness();
            let page = harness.rt.block_on(run_case(&harness.db, &rows, &case)).map_err(TestCaseError::fail)?;
            let (count, ids) = case.expect(&rows);
            prop_assert_eq!(page.count, count);
            let got: Vec<Option<i64>> = page.list.iter().map(|m| m.get("id").and_then(Json::as_i64)).collect();
            prop_assert_eq!(got, ids.into_iter().map(Some).collect::<Vec<_>>());
            // Projected keys in the filter's order (needs serde_json's `preserve_order`).
            let keys = case.expected_keys();
            for row in &page.list {
                prop_assert_eq!(row.keys().map(String::as_str).collect::<Vec<_>>(), keys.clone());
            }
        }
    }
}
