//! The one place where failures become HTTP answers: JSON
//! `{"error":{"code","message"}}` with a fitting status (DESIGN §3).

use domain::api::{ErrorBody, ErrorDetail};
use worker::{console_error, Response};

#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// `sync_running`: the running sync's progress, for the caller to show.
    pub progress: Option<domain::api::SyncProgress>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            progress: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "bad_request", message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            401,
            "unauthenticated",
            "sign in to manage this organisation",
        )
    }

    /// A session of someone WeCom no longer lists as an admin of the app.
    pub fn not_admin() -> Self {
        Self::new(
            401,
            "not_admin",
            "WeCom no longer lists you as an admin of this app; ask an admin to add you",
        )
    }

    /// An admin WeCom gave no management permission (`auth_type` 0).
    pub fn read_only() -> Self {
        Self::new(
            403,
            "read_only",
            "your WeCom admin role for this app may look but not manage",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "not_found", message)
    }

    /// Details go to the log, never to the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        console_error!("internal error: {detail}");
        Self::new(500, "internal", "internal error, please retry")
    }

    pub fn into_response(self) -> worker::Result<Response> {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                progress: self.progress,
            },
        };
        Ok(Response::from_json(&body)?.with_status(self.status))
    }
}

impl From<worker::Error> for ApiError {
    fn from(err: worker::Error) -> Self {
        ApiError::internal(err)
    }
}

impl From<worker::KvError> for ApiError {
    fn from(err: worker::KvError) -> Self {
        ApiError::internal(format!("{err:?}"))
    }
}

/// Turns a handler's outcome into the Router's `Result<Response>`.
pub fn respond(outcome: Result<Response, ApiError>) -> worker::Result<Response> {
    outcome.or_else(ApiError::into_response)
}
