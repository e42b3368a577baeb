//! One module per subcommand.

pub(crate) mod check;
pub(crate) mod evaluate;
pub(crate) mod lint;
pub(crate) mod templates;
pub(crate) mod whatif;
