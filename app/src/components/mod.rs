//! Building blocks shared by the pages.

pub mod badges;
pub mod layout;
pub mod pager;
pub mod states;
