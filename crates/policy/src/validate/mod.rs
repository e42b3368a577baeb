//! Validation of policies against the documented constraints.
