//! Route handlers, one module per resource.

pub mod applications;
pub mod applications_json;
pub mod audit;
pub mod authentication_methods;
pub mod authentication_methods_json;
pub mod authenticator;
pub mod bootstrap;
pub mod forward_auth;
pub mod forward_auth_routes;
pub mod groups;
pub mod health;
pub mod identity_protection;
pub mod oidc;
pub mod openapi;
pub mod policies;
pub mod roles;
pub mod sessions;
pub mod sign_ins;
pub mod signin_api;
pub mod signin_api_interrupt;
pub mod signin_api_json;
pub mod signin_api_passkey;
pub mod token;
pub mod users;
pub mod verification_pushes;
pub mod what_if;
