//! Properties the model does not name, and the OData annotations that are dropped.
//!
//! Entra exports carry beta-only properties (`times`, `deviceStates`, `agents`,
//! `partialEnablementStrategy`, …) that an admin may rely on; they are kept verbatim in
//! an [`Extra`] map on every object and written back on export, so nothing is lost.
//!
//! OData *annotations* are not data an admin wrote; they are dropped on import:
//! * keys starting with `@` (`@odata.context`, `@odata.id`, `@odata.editLink`, …);
//! * property annotations `name@odata.type`, `name@odata.navigationLink`, …;
//! * advertised operations, keys starting with `#` (`#microsoft.graph.restore`).
//!
//! Exception: inside a value kept in [`Extra`] (an object the model does not know),
//! `@odata.type` is kept, because it may be the discriminator of a polymorphic type and
//! Graph needs it to accept the object back. Where the model itself knows a polymorphic
//! type (named locations, IP ranges, external tenants, combination configurations) the
//! discriminator is read into a typed field instead.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Whether a JSON key is an OData annotation or advertised operation (dropped on import).
pub fn is_odata_annotation(key: &str) -> bool {
    key.starts_with('@') || key.starts_with('#') || key.contains("@odata.")
}

/// Unknown properties of a Graph object, kept verbatim (minus OData annotations).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Extra(pub Map<String, Value>);

impl Extra {
    /// No unknown properties.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An unknown property by name.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Whether the property is present with a value other than `null`, `[]` or `{}`.
    pub fn is_set(&self, key: &str) -> bool {
        match self.0.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Array(items)) => !items.is_empty(),
            Some(Value::Object(fields)) => !fields.is_empty(),
            Some(_) => true,
        }
    }
}

/// Removes annotations inside a kept value, except `@odata.type` (see the module docs).
fn strip_nested_annotations(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            fields.retain(|key, _| key == "@odata.type" || !is_odata_annotation(key));
            fields.values_mut().for_each(strip_nested_annotations);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nested_annotations),
        _ => {}
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExtraVisitor;

        impl<'de> Visitor<'de> for ExtraVisitor {
            type Value = Extra;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Extra, A::Error> {
                let mut kept = Map::new();
                while let Some(key) = access.next_key::<String>()? {
                    let mut value: Value = access.next_value()?;
                    if !is_odata_annotation(&key) {
                        strip_nested_annotations(&mut value);
                        kept.insert(key, value);
                    }
                }
                Ok(Extra(kept))
            }
        }

        deserializer.deserialize_map(ExtraVisitor)
    }
}

/// `null` and absent both mean "not configured" for Graph collections (entra.md §2.2); the
/// model holds them as an empty `Vec` (or empty [`super::FlagSet`]).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// For `#[serde(skip_serializing_if)]` on beta-only collections, so a v1.0 policy does not
/// grow beta properties on export.
pub(crate) fn is_empty_vec<T>(items: &[T]) -> bool {
    items.is_empty()
}
