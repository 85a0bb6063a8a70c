//! Signing in and out: password hashing, session cookies, the authentication middleware and
//! the `/setup`, `/login` and `/logout` form handlers.

pub use app::auth::password;
pub mod bearer;
pub mod caller;
pub mod client_addr;
pub mod session;
pub mod throttle;
pub mod unavailable;
