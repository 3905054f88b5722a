//! How model values are stored on PostgreSQL, the counterpart of `store/convert.rs` for SQLite: public
//! ids as native `uuid`, enums and dates as `text`, credibility and digests as `bigint`.

use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use uuid::Uuid;

use crate::model::country::CountryCode;
use crate::model::date::PartialDate;
use crate::model::grade::{Credibility, Reliability};
use crate::model::ids::*;

type BoxError = Box<dyn StdError + Sync + Send>;

macro_rules! id_pg {
    ($($ty:ident),+ $(,)?) => {$(
        impl ToSql for $ty {
            fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
                self.as_uuid().to_sql(ty, out)
            }
            fn accepts(ty: &Type) -> bool {
                <Uuid as ToSql>::accepts(ty)
            }
            to_sql_checked!();
        }
        impl<'a> FromSql<'a> for $ty {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
                Uuid::from_sql(ty, raw).map($ty::from_uuid)
            }
            fn accepts(ty: &Type) -> bool {
                <Uuid as FromSql>::accepts(ty)
            }
        }
    )+};
}

id_pg!(
    SourceId,
    PublicationId,
    ClaimId,
    AttributionId,
    EvidenceId,
    ClaimLinkId,
    ReviewId
);

/// Enums and dates stored as their text (`as_str` / `Display` one way, `FromStr` the other).
macro_rules! text_pg {
    ($($ty:ty => |$v:ident| $text:expr),+ $(,)?) => {$(
        impl ToSql for $ty {
            fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
                let $v = self;
                let text = $text;
                <&str as ToSql>::to_sql(&&*text, ty, out)
            }
            fn accepts(ty: &Type) -> bool {
                <&str as ToSql>::accepts(ty)
            }
            to_sql_checked!();
        }
        impl<'a> FromSql<'a> for $ty {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
                let s = <&str as FromSql>::from_sql(ty, raw)?;
                s.parse::<$ty>().map_err(|e| Box::new(e) as BoxError)
            }
            fn accepts(ty: &Type) -> bool {
                <&str as FromSql>::accepts(ty)
            }
        }
    )+};
}

text_pg!(
    crate::model::source::SourceKind => |v| v.as_str(),
    crate::model::source::AffiliationKind => |v| v.as_str(),
    crate::model::claim::ClaimKind => |v| v.as_str(),
    crate::model::claim::Bound => |v| v.as_str(),
    crate::model::attribution::Mode => |v| v.as_str(),
    crate::model::evidence::Stance => |v| v.as_str(),
    crate::model::evidence::AnswerType => |v| v.as_str(),
    crate::model::link::LinkKind => |v| v.as_str(),
    crate::model::review::Verdict => |v| v.as_str(),
    crate::model::history::EntityKind => |v| v.as_str(),
    crate::model::history::Operation => |v| v.as_str(),
    crate::model::history::Status => |v| v.as_str(),
    Reliability => |v| v.as_str(),
    PartialDate => |v| v.to_string(),
);

impl ToSql for CountryCode {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        <&str as ToSql>::to_sql(&self.as_str(), ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for CountryCode {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        CountryCode::new(<&str as FromSql>::from_sql(ty, raw)?).map_err(|e| Box::new(e) as BoxError)
    }
    fn accepts(ty: &Type) -> bool {
        <&str as FromSql>::accepts(ty)
    }
}

impl ToSql for Credibility {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        i64::from(self.number()).to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for Credibility {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let n = i64::from_sql(ty, raw)?;
        let n = u8::try_from(n).map_err(|e| Box::new(e) as BoxError)?;
        Credibility::try_from(n).map_err(|e| Box::new(e) as BoxError)
    }
    fn accepts(ty: &Type) -> bool {
        <i64 as FromSql>::accepts(ty)
    }
}

/// The history's JSON values, written and read back byte for byte (`json`; `jsonb` would reorder them).
impl ToSql for crate::store::convert::JsonText {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        if *ty == Type::JSONB {
            // jsonb's binary format: a version byte, then the text.
            out.extend_from_slice(&[1]);
        }
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSON | Type::JSONB) || <&str as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for crate::store::convert::JsonText {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let text = match (*ty == Type::JSONB, raw.split_first()) {
            (true, Some((1, rest))) => rest,
            (true, _) => return Err("unsupported jsonb encoding version".into()),
            (false, _) => raw,
        };
        Ok(crate::store::convert::JsonText(
            std::str::from_utf8(text)?.to_string(),
        ))
    }
    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSON | Type::JSONB) || <&str as FromSql>::accepts(ty)
    }
}
