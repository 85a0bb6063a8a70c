//! Account rules the server functions need (server side only).

pub mod password;
