//! One schema per collection. Each collection is one Rust type declared with
//! [`collection!`](crate::collection): the declaration yields the struct, its
//! field schema (kinds, limits, vocabularies, labels in both languages,
//! where the form shows it), the conversion to and from a stamped record,
//! the server's validation of every field, and the form's values. Adding a
//! field is one line in the collection's declaration.
//!
//! - [`field`]: [`FieldType`], what one field's Rust type knows (its kind,
//!   how to read it strictly from a stored value and leniently from a
//!   form), implemented for text, dates, numbers, flags, vocabularies, ids.
//! - [`form`]: [`Input`], a field's value as a form holds it, and
//!   [`Problem`], why a form value is refused.
//! - [`value`]: small readers over JSON values for the structured fields.

pub mod field;
pub mod form;
pub mod value;

use serde_json::Value;

pub use field::FieldType;
pub use form::{FormValues, Input, Problem, Problems, form_from_value, form_to_value};

use crate::sync::collection::{Collection, Visibility};
use crate::sync::hlc::Hlc;
use crate::sync::ids::{GroupId, RecordId, UserId};
use crate::sync::record::Record;

/// A text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub ja: &'static str,
    pub en: &'static str,
}

impl Label {
    pub const fn new(ja: &'static str, en: &'static str) -> Self {
        Self { ja, en }
    }

    pub fn get(self, japanese: bool) -> &'static str {
        if japanese { self.ja } else { self.en }
    }
}

/// A text made at run time, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub ja: String,
    pub en: String,
}

impl Phrase {
    pub fn new(ja: String, en: String) -> Self {
        Self { ja, en }
    }

    pub fn get(&self, japanese: bool) -> &str {
        if japanese { &self.ja } else { &self.en }
    }
}

impl From<Label> for Phrase {
    fn from(l: Label) -> Self {
        Self { ja: l.ja.to_owned(), en: l.en.to_owned() }
    }
}

/// One value of a vocabulary, with its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    pub id: &'static str,
    pub label: Label,
}

/// A closed list of values (a vocabulary), declared with
/// [`vocabulary!`](crate::vocabulary).
pub trait Vocab: Copy + Eq + 'static {
    const OPTIONS: &'static [Opt];
    const ALL: &'static [Self];
    fn id(self) -> &'static str;
    fn from_id(id: &str) -> Option<Self>;
    fn label(self) -> Label;
}

/// What a field holds: what the server accepts and which control the form
/// shows for it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text.
    Text { max: usize },
    /// Free text; concurrent edits keep the losing text as a conflict.
    Note { max: usize },
    Date,
    Time,
    /// A moment in Japan time (the form shows a date and a time).
    DateTime,
    Int { min: i64, max: i64 },
    Flag,
    Choice { options: &'static [Opt] },
    /// Several of a list; the form shows the first `featured` and the rest
    /// behind 「ほかに」.
    Choices { options: &'static [Opt], featured: usize },
    /// The id of another record.
    Ref,
    /// Ids of other records.
    Refs,
    User,
    /// A 全国地方公共団体コード.
    Area,
    /// A website (`https://` or `http://` only).
    Url { max: usize },
    Email { max: usize },
    /// A phone or fax number.
    Phone,
    /// A degree of latitude or longitude in Japan.
    Coordinate,
    /// Structured lists, each with its own editor.
    Referrals,
    Areas,
    Phones,
    Hours,
    Exceptions,
    Snapshot,
}

impl Kind {
    pub fn is_note(self) -> bool {
        matches!(self, Kind::Note { .. })
    }
}

/// Where a form shows a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// The few fields of the common case, always in view.
    Quick,
    /// Everything else, under 「くわしく入力」.
    Details,
    /// Only for a hospital visit (入院者訪問支援).
    Hospital,
    /// Set by the app, not typed (who raised an item, a member's name).
    Hidden,
}

/// One field of a collection.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// Needed to create a record.
    pub required: bool,
    pub section: Section,
    pub label: Label,
    pub hint: Option<Label>,
}

/// A collection's fields, in form order.
#[derive(Debug)]
pub struct Schema {
    pub collection: Collection,
    pub fields: &'static [FieldSpec],
    /// Checks one stored value strictly (`Typed::check`); `None` for a
    /// field the collection does not have.
    pub check: fn(&str, &Value) -> Option<Result<(), String>>,
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn kind(&self, name: &str) -> Option<Kind> {
        self.field(name).map(|f| f.kind)
    }

    pub fn required(&self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().filter(|f| f.required).map(|f| f.name)
    }

    pub fn in_section(&self, section: Section) -> impl Iterator<Item = &'static FieldSpec> {
        self.fields.iter().filter(move |f| f.section == section)
    }
}

/// A collection's typed values: generated by [`collection!`](crate::collection).
pub trait Typed: Sized + Clone + PartialEq + Default {
    const SCHEMA: Schema;

    /// Reads the fields leniently: a value that does not parse is absent.
    fn from_fields<'v>(get: &dyn Fn(&str) -> Option<&'v Value>) -> Self;
    /// Every field's value (`null` for an empty one), in schema order.
    fn to_fields(&self) -> Vec<(&'static str, Value)>;
    /// Checks one stored value strictly; `None` for an unknown field.
    fn check(field: &str, value: &Value) -> Option<Result<(), String>>;
    fn to_inputs(&self) -> FormValues;
    /// Reads a form: every field's problem, or the values. Runs
    /// [`rules`](Typed::rules) over what could be read.
    fn from_inputs(form: &FormValues) -> Result<Self, Problems>;
    /// Rules across fields, declared with the collection (`rules path`):
    /// they may tidy values (clear fields that do not apply) and name the
    /// problems, each at its field.
    fn rules(&mut self) -> Problems;

    /// The record's fields as a change writes them.
    fn changes(&self) -> Vec<(String, Value)> {
        self.to_fields().into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

/// A field an import could not take: missing though required, or not of
/// its kind.
#[derive(Debug, Clone, Copy)]
pub struct BadField {
    pub field: &'static FieldSpec,
    pub missing: bool,
}

impl PartialEq for BadField {
    fn eq(&self, other: &Self) -> bool {
        self.field.name == other.field.name && self.missing == other.missing
    }
}

impl Eq for BadField {}

/// Reads values strictly, as an import does: every field that is not of
/// its kind, and every required one missing (except those in `later`,
/// which the person still chooses), is named.
pub fn read_strict<T: Typed>(pairs: &[(&str, Value)], later: &[&str]) -> Result<T, Vec<BadField>> {
    let mut bad = Vec::new();
    for field in T::SCHEMA.fields {
        let value = pairs.iter().find(|(n, _)| *n == field.name).map(|(_, v)| v);
        match value {
            // Not one guard: a present value that checks out must not fall
            // through to the arm for a missing one.
            #[allow(clippy::collapsible_match)]
            Some(v) if !v.is_null() => {
                if !matches!(T::check(field.name, v), Some(Ok(()))) {
                    bad.push(BadField { field, missing: false });
                }
            }
            _ if field.required && !later.contains(&field.name) => bad.push(BadField { field, missing: true }),
            _ => {}
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    Ok(T::from_fields(&|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v)))
}

/// A conflict a person still has to see: a text that lost to an edit on
/// another device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextConflict {
    pub field: String,
    pub text: String,
    pub stamp: Hlc,
}

/// A live record with its typed values.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc<T> {
    pub id: RecordId,
    pub group: GroupId,
    pub owner: UserId,
    pub visibility: Visibility,
    /// The greatest stamp in the record: it changes whenever the record does.
    pub stamp: Hlc,
    /// The least: when the record was created.
    pub created: Hlc,
    pub conflicts: Vec<TextConflict>,
    pub data: T,
}

impl<T: Typed> Doc<T> {
    /// Reads a record of `T`'s collection; `None` for another collection or
    /// a deleted record.
    pub fn from_record(r: &Record) -> Option<Self> {
        if r.collection != T::SCHEMA.collection || r.is_deleted() {
            return None;
        }
        let data = T::from_fields(&|name| r.get(name));
        Some(Self {
            id: r.id.clone(),
            group: r.group.clone(),
            owner: r.owner.clone(),
            visibility: r.visibility.v,
            stamp: *r.max_stamp(),
            created: *r.first_stamp(),
            conflicts: r
                .open_conflicts()
                .filter_map(|c| c.v.as_str().map(|s| TextConflict { field: c.field.clone(), text: s.to_owned(), stamp: c.t }))
                .collect(),
            data,
        })
    }
}

/// Declares a closed vocabulary: an enum with its ids and labels.
///
/// ```ignore
/// vocabulary! { Mode { Phone = "phone", "電話", "Phone"; } }
/// ```
#[macro_export]
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $id:literal, $ja:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $id)] $variant,)*
        }

        impl $crate::schema::Vocab for $name {
            const OPTIONS: &'static [$crate::schema::Opt] =
                &[$($crate::schema::Opt { id: $id, label: $crate::schema::Label::new($ja, $en) },)*];
            const ALL: &'static [$name] = &[$(Self::$variant,)*];

            fn id(self) -> &'static str {
                match self { $(Self::$variant => $id,)* }
            }

            fn from_id(id: &str) -> Option<Self> {
                match id { $($id => Some(Self::$variant),)* _ => None }
            }

            fn label(self) -> $crate::schema::Label {
                match self { $(Self::$variant => $crate::schema::Label::new($ja, $en),)* }
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant,)*];

            pub fn id(self) -> &'static str {
                <Self as $crate::schema::Vocab>::id(self)
            }

            pub fn from_id(id: &str) -> Option<Self> {
                <Self as $crate::schema::Vocab>::from_id(id)
            }

            pub fn ja(self) -> &'static str {
                <Self as $crate::schema::Vocab>::label(self).ja
            }

            pub fn en(self) -> &'static str {
                <Self as $crate::schema::Vocab>::label(self).en
            }
        }
    };
}

/// Declares a collection: its struct, and its [`Typed`] schema. Each field
/// is `name (as "stored_name")?: Type [flags] "日本語" "English" (hint "…"
/// "…")?,` where the flags are `required` and one section (`quick`,
/// `details`, `hospital`, `hidden`; `details` when none).
#[macro_export]
macro_rules! collection {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $collection:expr => {
            $( $field:ident $(as $wire:literal)? : $ty:ty [$($flag:ident)*] $ja:literal $en:literal $(hint $hja:literal $hen:literal)? , )*
        }
        $(rules $rules:path)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        $vis struct $name {
            $( pub $field: $ty, )*
        }

        impl $crate::schema::Typed for $name {
            const SCHEMA: $crate::schema::Schema = $crate::schema::Schema {
                collection: $collection,
                check: <Self as $crate::schema::Typed>::check,
                fields: &[$(
                    $crate::schema::FieldSpec {
                        name: $crate::collection!(@name $field $($wire)?),
                        kind: <$ty as $crate::schema::FieldType>::KIND,
                        required: $crate::collection!(@required $($flag)*),
                        section: $crate::collection!(@section $($flag)*),
                        label: $crate::schema::Label::new($ja, $en),
                        hint: $crate::collection!(@hint $($hja $hen)?),
                    },
                )*],
            };

            fn from_fields<'v>(get: &dyn Fn(&str) -> Option<&'v serde_json::Value>) -> Self {
                Self {
                    $( $field: get($crate::collection!(@name $field $($wire)?))
                        .and_then(|v| <$ty as $crate::schema::FieldType>::parse(v).ok())
                        .unwrap_or_default(), )*
                }
            }

            fn to_fields(&self) -> Vec<(&'static str, serde_json::Value)> {
                vec![$( ($crate::collection!(@name $field $($wire)?), $crate::schema::FieldType::to_value(&self.$field)), )*]
            }

            fn check(field: &str, value: &serde_json::Value) -> Option<Result<(), String>> {
                match field {
                    $( $crate::collection!(@name $field $($wire)?) => Some(<$ty as $crate::schema::FieldType>::parse(value).map(drop)), )*
                    _ => None,
                }
            }

            fn to_inputs(&self) -> $crate::schema::FormValues {
                let mut form = $crate::schema::FormValues::new();
                $( form.insert($crate::collection!(@name $field $($wire)?), $crate::schema::FieldType::to_input(&self.$field)); )*
                form
            }

            fn from_inputs(form: &$crate::schema::FormValues) -> Result<Self, $crate::schema::Problems> {
                let mut problems = $crate::schema::Problems::new();
                let empty = $crate::schema::Input::default();
                $(
                    let name = $crate::collection!(@name $field $($wire)?);
                    let $field = match <$ty as $crate::schema::FieldType>::from_input(form.get(name).unwrap_or(&empty)) {
                        Ok(v) => v,
                        Err(p) => {
                            problems.insert(name, p);
                            <$ty>::default()
                        }
                    };
                    if $crate::collection!(@required $($flag)*)
                        && !problems.contains_key(name)
                        && $crate::schema::FieldType::to_value(&$field).is_null()
                    {
                        problems.insert(name, $crate::schema::Problem::Required);
                    }
                )*
                let mut value = Self { $( $field, )* };
                for (name, problem) in <Self as $crate::schema::Typed>::rules(&mut value) {
                    problems.get_or_insert_with(name, || problem);
                }
                if problems.is_empty() { Ok(value) } else { Err(problems) }
            }

            #[allow(unreachable_code)]
            fn rules(&mut self) -> $crate::schema::Problems {
                $( return $rules(self); )?
                $crate::schema::Problems::new()
            }
        }
    };
    (@name $field:ident $wire:literal) => { $wire };
    (@name $field:ident) => { stringify!($field) };
    (@required required $($rest:ident)*) => { true };
    (@required $first:ident $($rest:ident)*) => { $crate::collection!(@required $($rest)*) };
    (@required) => { false };
    (@section quick $($rest:ident)*) => { $crate::schema::Section::Quick };
    (@section details $($rest:ident)*) => { $crate::schema::Section::Details };
    (@section hospital $($rest:ident)*) => { $crate::schema::Section::Hospital };
    (@section hidden $($rest:ident)*) => { $crate::schema::Section::Hidden };
    (@section required $($rest:ident)*) => { $crate::collection!(@section $($rest)*) };
    (@section) => { $crate::schema::Section::Details };
    (@hint $ja:literal $en:literal) => { Some($crate::schema::Label::new($ja, $en)) };
    (@hint) => { None };
}
