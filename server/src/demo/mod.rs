//! `amends demo`: a realistic, deterministic data set. The same seed, scale and end date
//! always give the same rows. The simulation (`model`) builds customers and a year of
//! incidents with plausible effects; `write` stores them in one transaction.

mod experiments;
mod model;
pub mod text;
mod write;

pub use model::{simulate, Scale, World};
pub use write::{write, write_reporting, Written};
