//! Every integration test of `policy` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod evaluate_support;

// The tests.
mod device_filter_matches;
mod device_filter_parse;
mod device_filter_properties;
mod device_filter_reference;
mod evaluate_assignments;
mod evaluate_baselines;
mod evaluate_decisions;
mod evaluate_fixtures;
mod evaluate_inputs;
mod evaluate_session;
mod import_fixtures;
mod import_formats;
mod import_roundtrip;
mod lint_lockout;
mod lint_probes;
mod lint_properties;
mod lint_structure;
mod reference_model;
mod strength_built_in;
mod strength_combination;
mod strength_restrictions_and_plan;
mod templates_catalog;
mod templates_parameters;
mod validate_fixtures;
mod validate_named_locations;
mod validate_rules;
mod whatif_graph;
