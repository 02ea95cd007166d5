//! The store's typed values: row ids as newtypes (a post id cannot be passed where a member id
//! belongs), [`Tier`] and [`ScheduleKind`] as sqlx types stored as TEXT, and [`At`], an instant
//! stored as INTEGER milliseconds in SQLite and as `timestamptz` in PostgreSQL. Every type here
//! encodes and decodes for both drivers.

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

use crate::bank::Tier;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }
    };
}

row_id!(
    /// Row id of `channels` (not the platform's channel id).
    ChannelRowId
);
row_id!(
    /// Row id of `users`: one member on one platform.
    MemberId
);
row_id!(
    /// Row id of `posts`: the question number people see (`#3`).
    PostId
);
row_id!(
    /// Row id of `answers`.
    AnswerId
);
row_id!(
    /// Row id of `schedules`.
    ScheduleId
);

/// Whether a schedule posts questions or the weekly leaderboard; stored as `question` /
/// `leaderboard` (the CHECK constraint of `schedules.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// The question of the day.
    Question,
    /// The weekly leaderboard.
    Leaderboard,
}

impl ScheduleKind {
    /// The stored name: `question` or `leaderboard`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleKind::Question => "question",
            ScheduleKind::Leaderboard => "leaderboard",
        }
    }

    fn from_stored(s: &str) -> Option<ScheduleKind> {
        match s {
            "question" => Some(ScheduleKind::Question),
            "leaderboard" => Some(ScheduleKind::Leaderboard),
            _ => None,
        }
    }
}

/// Implements `Type`, `Encode` and `Decode` for both drivers for a type stored as TEXT, from
/// its `as_str` and a parser; reading an unknown name is an error (a corrupt row), never a
/// silent default. (sqlx's derive would name a PostgreSQL enum type of its own; the schema
/// uses TEXT with a CHECK in both dialects.)
macro_rules! text_type {
    ($ty:ty, $parse:expr, $what:literal) => {
        impl<DB: Database> Type<DB> for $ty
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $ty
        where
            &'q str: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let s = <&str as Decode<'r, DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(s).ok_or_else(|| format!(concat!("unknown ", $what, " `{}`"), s).into())
            }
        }
    };
}

// A tier is stored as its lower-case name (`junior`, `mid`, `senior`, `staff`).
text_type!(Tier, Tier::from_word, "tier");
text_type!(ScheduleKind, ScheduleKind::from_stored, "schedule kind");

/// An instant as the store holds it: INTEGER milliseconds since the Unix epoch in SQLite (what
/// every SQLite database of this bot has held since version 1), `timestamptz` in PostgreSQL
/// (microseconds; an instant from Rust has milliseconds at most here, so the round trip is
/// exact). Bind `At(t)` and read `At` wherever a query touches a time column, so one query
/// text serves both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At(pub DateTime<Utc>);

impl At {
    /// Earlier than any stored time: 0001-01-01T00:00:00Z, inside both databases' ranges (an
    /// open lower bound for a range query).
    pub const MIN: At = At(DateTime::from_timestamp(-62_135_596_800, 0).unwrap());
    /// Later than any stored time: 9999-12-31T23:59:59Z (an open upper bound).
    pub const MAX: At = At(DateTime::from_timestamp(253_402_300_799, 0).unwrap());
}

impl From<DateTime<Utc>> for At {
    fn from(t: DateTime<Utc>) -> At {
        At(t)
    }
}

impl Type<Sqlite> for At {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for At {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, Sqlite>>::encode(ms(self.0), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for At {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(At(from_ms(<i64 as Decode<'r, Sqlite>>::decode(value)?)))
    }
}

impl Type<Postgres> for At {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Postgres> for At {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for At {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(At(<DateTime<Utc> as Decode<'r, Postgres>>::decode(value)?))
    }
}

/// Milliseconds since the Unix epoch, as stored.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant `ms` milliseconds after the Unix epoch (the epoch itself if out of range).
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
