//! Arbitrary text through every model parser: no panic, typed errors, and what parses round-trips.
#![no_main]

use claimtrack::{
    ClaimId, CountryCode, Credibility, EntityKind, NewClaim, NewSource, PartialDate, Reliability, SourceKind,
    Stance, Verdict,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(d) = s.parse::<PartialDate>() {
        assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
    }
    if let Ok(c) = s.parse::<CountryCode>() {
        assert_eq!(c.to_string().parse::<CountryCode>().unwrap(), c);
    }
    if let Ok(id) = s.parse::<ClaimId>() {
        assert_eq!(id.to_string().parse::<ClaimId>().unwrap(), id);
    }
    let _ = s.parse::<Verdict>();
    let _ = s.parse::<Stance>();
    let _ = s.parse::<Reliability>();
    let _ = s.parse::<Credibility>();
    let _ = s.parse::<EntityKind>();
    let _ = NewClaim::factual(s).tag(s).language(s).into_claim();
    let _ = NewSource::new(s, SourceKind::Person)
        .alias(s)
        .country(s)
        .into_source();
});
