//! The request and response boilerplate every handler of the native-client sign-in API
//! shares, in one place: a JSON body that does not parse answers `400 invalidRequest`
//! with the reason; a secret or name over 1024 bytes answers `400 invalidRequest`
//! before any work (so argon2's input stays bounded); answers that may carry a secret
//! are marked `Cache-Control: no-store`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::signin_api_json::api_error;

/// Longest accepted secret or name.
const MAX_FIELD: usize = 1024;

/// The text fields of a request body whose length is bounded.
pub(super) trait BoundedFields {
    fn bounded_fields(&self) -> Vec<&str>;
}

/// A JSON request body, parsed and length-checked; the rejection is the API's answer.
pub(super) struct ApiBody<T>(pub T);

impl<S, T> FromRequest<S> for ApiBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned + BoundedFields,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(body) = Json::<T>::from_request(request, state)
            .await
            .map_err(bad_body)?;
        if body
            .bounded_fields()
            .iter()
            .any(|field| field.len() > MAX_FIELD)
        {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "invalidRequest",
                "A field is longer than 1024 bytes.",
            ));
        }
        Ok(ApiBody(body))
    }
}

/// `400 invalidRequest` naming what was wrong with the body.
pub(super) fn bad_body(rejection: JsonRejection) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "invalidRequest",
        &rejection.body_text(),
    )
}

/// Marks an answer that may carry a session token or a new secret as not cacheable.
pub(super) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::extract::FromRequest;
    use axum::http::{Request, StatusCode, header};
    use axum::response::IntoResponse;
    use serde::Deserialize;
    use serde_json::Value;

    use super::{ApiBody, BoundedFields, no_store};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Secret {
        secret: String,
    }

    impl BoundedFields for Secret {
        fn bounded_fields(&self) -> Vec<&str> {
            vec![&self.secret]
        }
    }

    fn post(content_type: Option<&str>, body: String) -> Request<Body> {
        let mut builder = Request::post("/api/v1/signin");
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        builder.body(Body::from(body)).unwrap()
    }

    async fn extract(request: Request<Body>) -> Result<String, (StatusCode, Value)> {
        match ApiBody::<Secret>::from_request(request, &()).await {
            Ok(ApiBody(body)) => Ok(body.secret),
            Err(response) => {
                let status = response.status();
                let bytes = to_bytes(response.into_body(), 1 << 16).await.unwrap();
                Err((status, serde_json::from_slice(&bytes).unwrap()))
            }
        }
    }

    fn json_body(secret: &str) -> String {
        serde_json::json!({ "secret": secret }).to_string()
    }

    #[tokio::test]
    async fn a_good_body_is_parsed_up_to_the_bound() {
        let secret = "s".repeat(1024);
        let parsed = extract(post(Some("application/json"), json_body(&secret))).await;
        assert_eq!(parsed, Ok(secret));
    }

    #[tokio::test]
    async fn bad_bodies_answer_invalid_request_with_the_reason() {
        let long = extract(post(Some("application/json"), json_body(&"s".repeat(1025)))).await;
        let (status, body) = long.unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "invalidRequest");
        assert_eq!(
            body["error"]["message"],
            "A field is longer than 1024 bytes."
        );

        for (content_type, text) in [
            (Some("application/json"), "{\"secret\": ".to_owned()),
            (
                Some("application/json"),
                "{\"secret\": \"x\", \"extra\": 1}".to_owned(),
            ),
            (None, json_body("x")),
        ] {
            let (status, body) = extract(post(content_type, text.clone())).await.unwrap_err();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
            assert_eq!(body["error"]["code"], "invalidRequest", "{text}");
            assert!(
                !body["error"]["message"].as_str().unwrap().is_empty(),
                "the reason is given: {text}"
            );
        }
    }

    #[test]
    fn answers_with_secrets_are_not_cached() {
        let response = no_store(StatusCode::OK.into_response());
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}
