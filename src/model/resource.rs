//! One declaration per resource: [`resource!`](crate::resource) writes the wire struct and the
//! field table every other layer reads — the list language (which fields a request may name,
//! filter and sort by), the decoding of database rows, the portal's table columns and filter
//! builder, the translated labels (by field name, in `i18n`) and the OpenAPI schema.
//!
//! ```text
//! use crate::model::resource::kind::*;
//! crate::resource! {
//!     /// A dealer.
//!     pub struct Dealer: "dealer" in "dealers" {
//!         id: Int,
//!         name: Text,
//!         active_date: Option<Time>,
//!         heavy_buyer: Option<Int> as "heavy_buyer_id",  // another SQL column
//!         note: Text [listed_only],                       // returned, never filtered or sorted
//!     }
//!     secret { password as "password_hash" }             // refused wherever a request names it
//!     aliases { firmware: Int as "firmware_version" }     // another name a request may use
//! }
//! ```

/// How a field is typed on the wire and in the list language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Int,
    Str,
    Bool,
    /// A BIGINT of epoch milliseconds in the database, an ISO 8601 string on the wire.
    Time,
    /// Text joined by commas in the database, an array of strings on the wire; `$like` finds one.
    Tags,
    /// JSON kept as text in the database, the JSON value itself on the wire.
    Json,
}

impl FieldType {
    /// Compared and matched (`$like`) as text in the list language.
    pub fn is_text(self) -> bool {
        matches!(self, FieldType::Str | FieldType::Tags | FieldType::Json)
    }
}

/// One field of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The name in the API.
    pub name: &'static str,
    /// The SQL column.
    pub column: &'static str,
    pub ty: FieldType,
    pub queryable: bool,
    pub sortable: bool,
    /// Passwords, tokens: never selected, refused wherever a request names them.
    pub secret: bool,
    /// May be absent (SQL NULL): `{"$eq": null}` / `{"$ne": null}` test for that.
    pub nullable: bool,
}

impl Field {
    /// A queryable, sortable, public field.
    pub const fn new(name: &'static str, column: &'static str, ty: FieldType) -> Self {
        Self { name, column, ty, queryable: true, sortable: true, secret: false, nullable: false }
    }

    /// A field typed by its [`Kind`] (what [`resource!`](crate::resource) writes).
    pub const fn of<K: Kind>(name: &'static str, column: &'static str) -> Self {
        Self { nullable: K::NULLABLE, ..Self::new(name, column, K::TYPE) }
    }

    /// A secret column: in the table, never on the wire.
    pub const fn secret(name: &'static str, column: &'static str) -> Self {
        Self { secret: true, queryable: false, sortable: false, ..Self::new(name, column, FieldType::Str) }
    }

    pub const fn nullable(self) -> Self {
        Self { nullable: true, ..self }
    }

    /// Returned in lists but neither queryable nor sortable.
    pub const fn listed_only(self) -> Self {
        Self { queryable: false, sortable: false, ..self }
    }
}

/// A listable table and its fields; every resource has a field named `id`.
#[derive(Debug)]
pub struct Resource {
    /// The resource's name: the prefix of its resource-specific labels in `i18n`.
    pub name: &'static str,
    pub table: &'static str,
    pub fields: &'static [Field],
    /// Other names a request may use for a field (`firmware` for `firmware_version`): listed
    /// under the name asked for, never in the default projection.
    pub aliases: &'static [Field],
}

impl Resource {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        let fields: &'static [Field] = self.fields;
        fields.iter().find(|f| f.name == name)
    }

    /// A field by its name or one of its aliases (what a list request may name).
    pub fn named(&self, name: &str) -> Option<&'static Field> {
        let aliases: &'static [Field] = self.aliases;
        self.field(name).or_else(|| aliases.iter().find(|f| f.name == name))
    }

    /// The fields a list may return, in declaration order.
    pub fn visible(&self) -> impl Iterator<Item = &'static Field> {
        let fields: &'static [Field] = self.fields;
        fields.iter().filter(|f| !f.secret)
    }

    /// The fields a request may filter by.
    pub fn queryable(&self) -> impl Iterator<Item = &'static Field> {
        self.visible().filter(|f| f.queryable)
    }
}

/// A field's kind: its wire type and its list-language type, in one place.
pub trait Kind {
    type Wire;
    const TYPE: FieldType;
    const NULLABLE: bool = false;
}

/// The kinds a declaration names (`use crate::model::resource::kind::*`).
pub mod kind {
    use super::{FieldType, Kind};

    pub struct Int;
    pub struct Text;
    pub struct Bool;
    pub struct Time;
    pub struct Tags;
    pub struct Json;

    impl Kind for Int {
        type Wire = i64;
        const TYPE: FieldType = FieldType::Int;
    }
    impl Kind for Text {
        type Wire = String;
        const TYPE: FieldType = FieldType::Str;
    }
    impl Kind for Bool {
        type Wire = bool;
        const TYPE: FieldType = FieldType::Bool;
    }
    impl Kind for Time {
        type Wire = String;
        const TYPE: FieldType = FieldType::Time;
    }
    impl Kind for Tags {
        type Wire = Vec<String>;
        const TYPE: FieldType = FieldType::Tags;
    }
    impl Kind for Json {
        type Wire = serde_json::Value;
        const TYPE: FieldType = FieldType::Json;
    }
    /// A field that may be absent (SQL NULL, JSON null).
    impl<K: Kind> Kind for Option<K> {
        type Wire = Option<K::Wire>;
        const TYPE: FieldType = K::TYPE;
        const NULLABLE: bool = true;
    }
}

/// A field's name on the wire: a raw identifier (`r#type`) without its `r#`, as serde names it.
pub const fn wire_name(name: &'static str) -> &'static str {
    let bytes = name.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'r' && bytes[1] == b'#' {
        // SAFETY: dropping the two ASCII bytes `r#` leaves valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes.split_at(2).1) }
    } else {
        name
    }
}

/// Declares a resource: its wire struct (`Serialize`, `Deserialize`, fields in the order given)
/// and `Struct::RESOURCE`, its [`Resource`] table. See the module's documentation.
#[macro_export]
macro_rules! resource {
    (
        $(#[$meta:meta])*
        pub struct $name:ident : $res:literal in $table:literal {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ty $(as $col:literal)? $([$($flag:ident),*])? ),* $(,)?
        }
        $(secret { $( $sfield:ident as $scol:literal ),* $(,)? })?
        $(aliases { $( $(#[$ameta:meta])* $alias:ident : $akind:ty as $acol:literal ),* $(,)? })?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: <$kind as $crate::model::resource::Kind>::Wire, )*
        }

        impl $name {
            pub const RESOURCE: $crate::model::resource::Resource = $crate::model::resource::Resource {
                name: $res,
                table: $table,
                fields: &[
                    $( $crate::model::resource::Field::of::<$kind>(
                        $crate::model::resource::wire_name(stringify!($field)),
                        $crate::resource!(@column $field $($col)?),
                    ) $($(.$flag())*)?, )*
                    $($( $crate::model::resource::Field::secret(stringify!($sfield), $scol), )*)?
                ],
                aliases: &[
                    $($( $crate::model::resource::Field::of::<$akind>(stringify!($alias), $acol), )*)?
                ],
            };
        }
    };
    (@column $field:ident) => { $crate::model::resource::wire_name(stringify!($field)) };
    (@column $field:ident $col:literal) => { $col };
}

/// Declares a closed set of numbers the API names (a role, a status) as an enum: on the wire
/// and in the database it stays the number, so clients comparing with `===` keep working; in
/// code it is a name. An unknown number is refused when read.
#[macro_export]
macro_rules! number_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),* }

        impl $name {
            /// The number the API and the database use.
            pub const fn code(self) -> i64 {
                match self { $($name::$variant => $code),* }
            }

            pub fn from_code(code: i64) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = $crate::model::lenient::int(deserializer)?;
                $name::from_code(code).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::custom(format!("{code} is not a known {}", stringify!($name)))
                })
            }
        }

        impl $crate::model::resource::Kind for $name {
            type Wire = $name;
            const TYPE: $crate::model::resource::FieldType = $crate::model::resource::FieldType::Int;
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{kind::*, FieldType};
    use crate::model::{device::Device, member::MemberStatus};

    crate::resource! {
        /// A declaration exercising every form the macro takes.
        pub struct Probe: "probe" in "probes" {
            id: Int,
            note: Text [listed_only],
            seen: Option<Time> as "seen_at",
            tags: Tags,
            status: MemberStatus,
        }
        secret { password as "password_hash" }
    }

    #[test]
    fn a_declaration_gives_the_wire_struct_and_the_field_table() {
        let r = &Probe::RESOURCE;
        assert_eq!((r.name, r.table), ("probe", "probes"));
        let seen = r.field("seen").unwrap();
        assert_eq!((seen.column, seen.ty, seen.nullable, seen.queryable), ("seen_at", FieldType::Time, true, true));
        let note = r.field("note").unwrap();
        assert!(!note.queryable && !note.sortable && !note.nullable);
        assert_eq!(r.field("status").unwrap().ty, FieldType::Int);
        // The secret column is in the table, never listed or queryable, and not on the wire type.
        let password = r.field("password").unwrap();
        assert!(password.secret && !password.queryable);
        let visible: Vec<&str> = r.visible().map(|f| f.name).collect();
        assert_eq!(visible, ["id", "note", "seen", "tags", "status"]);
        let probe =
            Probe { id: 1, note: "n".into(), seen: None, tags: vec!["a".into()], status: MemberStatus::Disabled };
        let json = serde_json::to_value(&probe).unwrap();
        assert_eq!(json, serde_json::json!({"id": 1, "note": "n", "seen": null, "tags": ["a"], "status": 2}));
        assert_eq!(serde_json::from_value::<Probe>(json).unwrap(), probe);
        assert_eq!(Device::RESOURCE.field("heavy_buyer").unwrap().column, "heavy_buyer_id");
    }

    #[test]
    fn a_number_enum_is_its_number_on_the_wire_and_refuses_others() {
        assert_eq!(serde_json::to_value(MemberStatus::Active).unwrap(), serde_json::json!(1));
        assert_eq!(serde_json::from_value::<MemberStatus>(serde_json::json!(2)).unwrap(), MemberStatus::Disabled);
        assert!(serde_json::from_value::<MemberStatus>(serde_json::json!(7)).is_err());
        // The original console sends numbers it read from a form or a URL as strings.
        assert_eq!(serde_json::from_value::<MemberStatus>(serde_json::json!("1")).unwrap(), MemberStatus::Active);
        assert!(serde_json::from_value::<MemberStatus>(serde_json::json!("one")).is_err());
        assert_eq!(MemberStatus::from_code(0), Some(MemberStatus::Pending));
    }
}
