//! Helpdesk actions that are not Graph resources of their own: verifying a caller's
//! identity through a method they already have (issue 6, item 5).

pub mod verification;
