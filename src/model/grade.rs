//! The Admiralty Code (NATO STANAG 2511): how reliable a source is, how credible a piece of information is.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How reliable a source has proved, A (completely reliable) to E (unreliable), F when it cannot be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Reliability {
    /// A — completely reliable: no doubt of authenticity, trustworthiness or competency.
    A,
    /// B — usually reliable: minor doubts, a history of mostly valid information.
    B,
    /// C — fairly reliable: doubts, but has given valid information before.
    C,
    /// D — not usually reliable: significant doubts.
    D,
    /// E — unreliable: a history of invalid information.
    E,
    /// F — reliability cannot be judged (a new or unknown source). The default.
    #[default]
    F,
}

/// How credible one piece of information is, 1 (confirmed by other sources) to 5 (improbable), 6 when it
/// cannot be judged. Serialized as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(try_from = "u8", into = "u8")]
pub enum Credibility {
    /// 1 — confirmed by other independent sources.
    Confirmed = 1,
    /// 2 — probably true: not confirmed, but logical and consistent with other information.
    ProbablyTrue = 2,
    /// 3 — possibly true: reasonably logical, agrees with some other information.
    PossiblyTrue = 3,
    /// 4 — doubtful: possible but not logical, no other information on it.
    Doubtful = 4,
    /// 5 — improbable: illogical and contradicted by other information.
    Improbable = 5,
    /// 6 — truth cannot be judged. The default.
    #[default]
    CannotBeJudged = 6,
}

impl Reliability {
    /// All grades, best first.
    pub const ALL: [Reliability; 6] = [Self::A, Self::B, Self::C, Self::D, Self::E, Self::F];

    /// The letter.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
            Self::E => "E",
            Self::F => "F",
        }
    }

    /// The grade's meaning in words.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::A => "completely reliable",
            Self::B => "usually reliable",
            Self::C => "fairly reliable",
            Self::D => "not usually reliable",
            Self::E => "unreliable",
            Self::F => "reliability cannot be judged",
        }
    }
}

impl Credibility {
    /// All grades, most credible first.
    pub const ALL: [Credibility; 6] = [
        Self::Confirmed,
        Self::ProbablyTrue,
        Self::PossiblyTrue,
        Self::Doubtful,
        Self::Improbable,
        Self::CannotBeJudged,
    ];

    /// The number, 1–6.
    pub fn number(&self) -> u8 {
        *self as u8
    }

    /// The grade's meaning in words.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed by other sources",
            Self::ProbablyTrue => "probably true",
            Self::PossiblyTrue => "possibly true",
            Self::Doubtful => "doubtful",
            Self::Improbable => "improbable",
            Self::CannotBeJudged => "truth cannot be judged",
        }
    }
}

impl fmt::Display for Reliability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Credibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

impl FromStr for Reliability {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::invalid("reliability", format!("expected A–F, got {s:?}")))
    }
}

impl TryFrom<u8> for Credibility {
    type Error = Error;
    fn try_from(n: u8) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|g| g.number() == n)
            .ok_or_else(|| Error::invalid("credibility", format!("expected 1–6, got {n}")))
    }
}

impl From<Credibility> for u8 {
    fn from(c: Credibility) -> u8 {
        c.number()
    }
}

impl FromStr for Credibility {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        s.trim()
            .parse::<u8>()
            .map_err(|_| Error::invalid("credibility", format!("expected 1–6, got {s:?}")))
            .and_then(Credibility::try_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_parse_and_print() {
        assert_eq!("b".parse::<Reliability>().unwrap(), Reliability::B);
        assert!("G".parse::<Reliability>().is_err());
        assert_eq!("2".parse::<Credibility>().unwrap(), Credibility::ProbablyTrue);
        assert!("7".parse::<Credibility>().is_err());
        assert_eq!(serde_json::to_string(&Credibility::Improbable).unwrap(), "5");
        assert!(serde_json::from_str::<Credibility>("0").is_err());
    }
}
