//! Errors as the API answers them: a JSON body `{"error": {"status", "kind", "field", "message"}}` with
//! the HTTP status that fits. Bad input is always a 4xx naming what was wrong; a 500 is reserved for
//! failures of the server or the database, and is logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Error;

/// An error answer: status, a short machine-readable kind, the field at fault (if any) and a message.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) kind: &'static str,
    pub(crate) field: Option<String>,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            field: None,
            message: message.into(),
        }
    }

    /// A 400 naming the field (a query parameter, a JSON path of the body).
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid",
            message: format!("invalid {field}: {message}"),
            field: Some(field),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is over the limit of {limit} bytes"),
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        let (status, kind, field) = match &e {
            Error::Invalid { field, .. } => (StatusCode::BAD_REQUEST, "invalid", Some(field.to_string())),
            Error::Parse { field, location, .. } => (
                StatusCode::BAD_REQUEST,
                "parse",
                Some(if field == "-" {
                    location.clone()
                } else {
                    field.clone()
                }),
            ),
            Error::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found", None),
            Error::Duplicate { .. } => (StatusCode::CONFLICT, "duplicate", None),
            Error::Conflict { .. } => (StatusCode::CONFLICT, "conflict", None),
            Error::StillReferenced { .. } => (StatusCode::CONFLICT, "still_referenced", None),
            Error::AffiliationCycle { .. } => (StatusCode::CONFLICT, "affiliation_cycle", None),
            Error::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy", None),
            Error::Batch { source, .. } => {
                // The batch names the record; its inner error decides the status.
                let inner = ApiError::from(take_inner(source));
                return ApiError { message, ..inner };
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        };
        ApiError {
            status,
            kind,
            field,
            message,
        }
    }
}

fn take_inner(source: &crate::Error) -> Error {
    // Errors are not Clone; rebuild the parts the status depends on.
    match source {
        Error::Invalid { field, reason } => Error::Invalid {
            field,
            reason: reason.clone(),
        },
        Error::Parse {
            location,
            field,
            reason,
        } => Error::Parse {
            location: location.clone(),
            field: field.clone(),
            reason: reason.clone(),
        },
        Error::NotFound { kind, id } => Error::NotFound { kind, id: id.clone() },
        Error::Duplicate { kind, key } => Error::Duplicate {
            kind,
            key: key.clone(),
        },
        Error::AffiliationCycle { source_id, parent } => Error::AffiliationCycle {
            source_id: source_id.clone(),
            parent: parent.clone(),
        },
        Error::Busy => Error::Busy,
        Error::Batch { source, .. } => take_inner(source),
        other => Error::Database(crate::error::DatabaseError {
            message: other.to_string(),
            source: None,
        }),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            super::log_line(format_args!(
                "claimtrack serve: {} {}: {}",
                self.status.as_u16(),
                self.kind,
                self.message
            ));
        }
        let body = json!({ "error": {
            "status": self.status.as_u16(),
            "kind": self.kind,
            "field": self.field,
            "message": self.message,
        }});
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body is not read, so the connection cannot carry another request: say so,
            // or a client reusing it would find it closed.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        response
    }
}
