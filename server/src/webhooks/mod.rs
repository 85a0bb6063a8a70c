//! Webhooks in: replies, churn and credits that arrive as they happen. A delivery is
//! verified (`signature`), stored in the inbox as received, then turned into records
//! (`events`) and written with the import's store code in its own transaction.

pub mod events;
pub mod inbox;
pub mod signature;
