//! Arbitrary bytes as Climate-FEVER CSV (with its Python-literal column), imported into a store that already holds records.
//! No panic; `Ok` leaves a store that passes `Store::check`; an error is typed (never
//! `Error::Database`) and leaves the store exactly as it was (records, counts, history).
#![no_main]

mod common;

use claimtrack::io::{ImportOptions, climate_fever};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check_import(|store| climate_fever::import(store, data, ImportOptions::default()));
});
