//! Server functions, grouped by the noun they serve. Each is thin: take the store from the
//! context, parse the input, call, map the error.

pub mod customers;
pub mod dashboard;
pub mod incidents;
pub mod replies;

#[cfg(feature = "ssr")]
pub(crate) fn store() -> Result<crate::store::SharedStore, crate::error::AppError> {
    leptos::prelude::use_context::<crate::store::SharedStore>().ok_or_else(|| {
        tracing::error!("store missing from the server function context");
        crate::error::AppError::Internal
    })
}
