//! Account rules the server functions need (server side only).

pub mod password;
pub mod token;

/// The hash of the signed-in request's session id, put in the request's extensions by the
/// server's authentication middleware (so a password change can keep this session alive
/// while ending the others).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentSession(pub String);
