//! The Conditional Access engine: Microsoft Graph `conditionalAccessPolicy` policies,
//! imported as Entra exports them, validated, and evaluated exactly as
//! `shared/reference/entra.md` §2 describes.
//!
//! Pure: no I/O, no async, no clock. Every input (the sign-in, the directory facts,
//! the current time) is passed in, so the engine can be tested exhaustively and
//! benchmarked in isolation.

pub mod device_filter;
pub mod evaluate;
pub mod import;
pub mod lint;
pub mod model;
pub mod security_defaults;
pub mod strength;
pub mod templates;
pub mod validate;
pub mod whatif;

pub use import::{ImportError, import_named_locations, import_policies};
pub use model::{ConditionalAccessPolicy, NamedLocation};
pub use validate::{Severity, ValidationContext, ValidationError, validate};
