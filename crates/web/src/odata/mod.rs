//! OData query options as Microsoft Graph uses them.

pub mod filter;
pub mod query;
pub mod time_range;
