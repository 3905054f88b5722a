//! Arbitrary bytes as FEVER JSON Lines, imported into a store that already holds records.
//! No panic; `Ok` leaves a store that passes `Store::check`; an error is typed (never
//! `Error::Database`) and leaves the store exactly as it was (records, counts, history).
#![no_main]

mod common;

use claimtrack::io::{ImportOptions, fever};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check_import(|store| fever::import(store, data, ImportOptions::default()));
});
