//! `GET /.well-known/openid-configuration`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portcullis_oidc::claims::SigningAlgorithm;
use portcullis_oidc::discovery::{Endpoints, Features, ProviderMetadata};

use crate::state::AppState;

pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    let issuer = state.base_url();
    let features = Features {
        // Every algorithm with an active key, ES256 (the default) first.
        signing_algorithms: state
            .services
            .signing_algorithms()
            .into_iter()
            .filter_map(|name| match name {
                "ES256" => Some(SigningAlgorithm::Es256),
                "RS256" => Some(SigningAlgorithm::Rs256),
                "EdDSA" => Some(SigningAlgorithm::EdDsa),
                _ => None,
            })
            .collect(),
        device_flow: true,
        private_key_jwt: true,
        acr_values: (1..=25).map(|n| format!("c{n}")).collect(),
    };
    let metadata = ProviderMetadata::build(issuer, &Endpoints::under(issuer), &features);
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(metadata),
    )
        .into_response()
}
