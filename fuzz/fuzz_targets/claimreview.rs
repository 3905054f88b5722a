//! Arbitrary bytes as ClaimReview JSON-LD, imported into a store that already holds records.
//! No panic; `Ok` leaves a store that passes `Store::check`; an error is typed (never
//! `Error::Database`) and leaves the store exactly as it was (records, counts, history).
#![no_main]

mod common;

use claimtrack::io::{ImportOptions, claimreview};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(report) = common::check_import(|store| claimreview::import(store, data, ImportOptions::default())) {
        common::no_hidden_database_error(&report);
    }
});
