//! ISO 3166-1 alpha-2 country codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, plus `XK` (Kosovo), the user-assigned code in
/// common use by the EU and news agencies.
const CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER \
ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM \
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF \
MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK \
PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD \
TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK";

/// A country as an ISO 3166-1 alpha-2 code (`KP`, `RU`, `KR`), always upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a code, accepting lower case; refuses names ("Korea") and unassigned codes.
    pub fn new(code: &str) -> Result<Self> {
        let up = code.trim().to_ascii_uppercase();
        let bytes = up.as_bytes();
        if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_uppercase) && CODES.split(' ').any(|c| c == up) {
            Ok(Self([bytes[0], bytes[1]]))
        } else {
            Err(Error::invalid(
                "country",
                format!(
                    "not an ISO 3166-1 alpha-2 code: {:?}",
                    crate::model::text::shorten(code, 40)
                ),
            ))
        }
    }

    /// The two letters.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Every code this library accepts.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        CODES.split(' ').filter_map(|c| CountryCode::new(c).ok())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::new(&s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_and_case() {
        assert_eq!(CountryCode::new("kp").unwrap().as_str(), "KP");
        assert_eq!(CountryCode::all().count(), 250);
        for bad in ["Korea", "K", "ZZ", "", "K1", "UK", "КР"] {
            let err = CountryCode::new(bad).unwrap_err();
            assert!(matches!(err, Error::Invalid { field: "country", .. }), "{bad}");
        }
    }
}
