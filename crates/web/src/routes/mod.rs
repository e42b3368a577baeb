//! Route handlers, one module per resource.

pub mod audit;
pub mod authentication_methods;
pub mod authentication_methods_json;
pub mod authenticator;
pub mod bootstrap;
pub mod groups;
pub mod health;
pub mod oidc;
pub mod openapi;
pub mod policies;
pub mod roles;
pub mod sign_ins;
pub mod signin_api;
pub mod signin_api_json;
pub mod token;
pub mod users;
pub mod what_if;
