//! Every integration test of `server` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod common;
mod oidc_support;
mod security_info_support;

// The tests.
mod admin_api;
mod applications_api;
mod authentication_methods_api;
mod bootstrap_page;
mod break_glass_alert;
mod cae_two_nodes;
mod entra_corpus_api;
mod forward_auth;
mod health;
mod least_privilege;
mod methods_policy_api;
mod oidc_provider;
mod passkey_signin;
mod password_reset;
mod refresh_rejudgement;
mod security_info;
mod security_info_contacts;
mod sign_in_risk_api;
mod signin_api;
mod signin_api_one_request;
mod signin_api_passkey_registration;
mod signin_code_sends;
mod signin_interrupts;
mod signin_registration_contacts;
mod tls;
mod token_endpoint;
mod user_risk;
mod what_if;
