//! The error every server function returns. It crosses the wire typed, so a page can tell
//! "not found" from "database down" and say something useful; it never carries internals.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("We could not find that.")]
    NotFound,
    #[error("The database is not answering right now. Try again in a moment.")]
    Unavailable,
    #[error("{0}")]
    Invalid(String),
    /// One form field is wrong; the page shows the message next to it.
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Your role does not allow this. Ask an admin if you need it.")]
    Forbidden,
    #[error("Something went wrong on our side. It has been logged; try again.")]
    Internal,
    /// Transport-level failure (network, decoding); the message is the framework's.
    #[error("The request did not go through: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error answers with: a rejected input is the caller's (4xx), a
    /// database that is not answering is "try again" (503), only a fault of ours is 500.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Field { .. } | AppError::Invalid(_) => 422,
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Unavailable => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these only arise from reading a request into a function's
            // arguments (a field missing or malformed): the caller's fault, answered 400.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::Deserialization(detail)
            | ServerFnErrorErr::MissingArg(detail) => crate::api::unreadable_request(&detail),
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// Why a store call failed, without any SQL in it. The store logs the detail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable")]
    Unavailable,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    /// Refused because of one input field, with a message for that field.
    #[error("invalid {field}: {message}")]
    Field { field: String, message: String },
    #[error("internal database error")]
    Internal,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable => AppError::Unavailable,
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) | StoreError::Invalid(m) => AppError::Invalid(m),
            StoreError::Field { field, message } => AppError::Field { field, message },
            StoreError::Internal => AppError::Internal,
        }
    }
}

impl StoreError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        StoreError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The message for `field`, when this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Field { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }
}
