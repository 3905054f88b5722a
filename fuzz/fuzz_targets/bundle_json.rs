//! Arbitrary bytes as a bundle: parsing never panics; an import either succeeds with history agreeing
//! with the state, or fails with a typed error and leaves the store exactly as it was.
#![no_main]

use claimtrack::io::{ImportOptions, bundle};
use claimtrack::{Bundle, Error, NewClaim, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = serde_json::from_slice::<Bundle>(data) else {
        return;
    };
    let store = Store::open_in_memory().unwrap();
    store.add_claim(NewClaim::factual("already here")).unwrap();
    let before = serde_json::to_string(&bundle::export(&store).unwrap()).unwrap();
    match bundle::import(&store, &bundle, ImportOptions::default()) {
        Ok(_) => assert!(store.verify_history().unwrap().is_consistent()),
        Err(e) => {
            assert!(!matches!(e, Error::Database(_)), "untyped error: {e:?}");
            let after = serde_json::to_string(&bundle::export(&store).unwrap()).unwrap();
            assert_eq!(before, after);
        }
    }
});
