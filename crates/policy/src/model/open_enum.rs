//! Open ("evolvable") Graph enums.
//!
//! Graph adds enum members after `unknownFutureValue` and hides them from clients that do
//! not send `Prefer: include-unknown-enum-members` (entra.md §13). A policy exported today
//! may therefore contain a value this build has never heard of. Every Graph enum in the
//! model is declared with [`open_enum!`], which adds an `Other(UnknownValue)` variant that
//! keeps the exact string, so import never fails on a new value and export writes it back
//! unchanged. Validation reports such values as warnings, never as errors.

use std::fmt;

/// A string that is not one of an open enum's known members, kept verbatim.
///
/// It can only be built by [`OpenEnum::from_wire`], which maps every known string to its
/// named variant first. So `Other` never holds a known value, and derived equality on the
/// enum is the same as equality of the wire strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Only the `open_enum!` expansion calls this, after ruling out every known member.
    #[doc(hidden)]
    pub fn new_unchecked(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The exact string found in the input.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Behaviour shared by every open enum, so flag sets and validation can be generic.
pub trait OpenEnum: Sized + Clone + Ord + fmt::Debug {
    /// The Graph type name, used in messages (for example `riskLevel`).
    const GRAPH_TYPE: &'static str;
    /// Every member this build knows, in declaration order.
    const KNOWN: &'static [&'static str];

    /// Parses a wire string; unknown strings become the `Other` variant.
    fn from_wire(value: &str) -> Self;
    /// The exact wire string.
    fn as_str(&self) -> &str;
    /// `false` for the `Other` variant.
    fn is_known(&self) -> bool;
}

/// Declares an open Graph enum: named variants with their exact wire strings, plus
/// `Other(UnknownValue)`. Generates `OpenEnum`, `Display`, `Serialize` and `Deserialize`
/// (as a plain JSON string). Declaration order is the `Ord` order, which is also the order
/// flag sets serialize in (Graph's own member order).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $graph:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )+
            /// A value this build does not know (Graph added it later), kept verbatim.
            Other($crate::model::UnknownValue),
        }

        impl $crate::model::OpenEnum for $name {
            const GRAPH_TYPE: &'static str = $graph;
            const KNOWN: &'static [&'static str] = &[ $( $wire ),+ ];

            fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Other($crate::model::UnknownValue::new_unchecked(other)),
                }
            }

            fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(value) => value.as_str(),
                }
            }

            fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl $name {
            /// The exact wire string.
            pub fn as_str(&self) -> &str {
                <Self as $crate::model::OpenEnum>::as_str(self)
            }

            /// Parses a wire string; unknown strings are kept in `Other`.
            pub fn from_wire(value: &str) -> Self {
                <Self as $crate::model::OpenEnum>::from_wire(value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::model::open_enum::WireStrVisitor::<Self>::new())
            }
        }
    };
}

pub(crate) use open_enum;

/// Deserializes any open enum from a JSON string without an intermediate allocation for
/// known members.
#[doc(hidden)]
pub struct WireStrVisitor<T>(std::marker::PhantomData<T>);

impl<T> WireStrVisitor<T> {
    #[doc(hidden)]
    pub fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> Default for WireStrVisitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: OpenEnum> serde::de::Visitor<'_> for WireStrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} string", T::GRAPH_TYPE)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from_wire(value))
    }
}
