//! Turning raw records into typed rows, each independently: a row's problems become
//! [`RowError`](crate::RowError)s naming the line and the column, and never touch the
//! other rows.

mod duplicates;
mod group;
mod properties;
mod user;
mod values;

pub(crate) use duplicates::{GroupDuplicates, UserDuplicates};
pub(crate) use group::group_row;
pub(crate) use properties::check_header;
pub(crate) use user::user_row;
