//! Interchange: reading and writing the formats fact-checking desks and research data sets use.
//!
//! Every importer writes through the public store API ([`Store::batch`](crate::Store::batch)), so an
//! import is one transaction: all of a file lands, or none of it.

pub mod climate_fever;
pub mod fever;
pub mod liar;
mod repair;
