//! The store's typed values: row ids as newtypes (a post id cannot be passed where a member id
//! belongs), [`Tier`] and [`ScheduleKind`] as sqlx types stored as TEXT, and the conversion
//! between `DateTime<Utc>` and the INTEGER milliseconds SQLite holds.

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Sqlite, Type};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// The question of the day.
    Question,
    /// The weekly leaderboard.
    Leaderboard,
}

// A tier is stored as its lower-case name (`junior`, `mid`, `senior`, `staff`); reading an
// unknown name is an error (a corrupt row), never a silent default.
impl Type<Sqlite> for Tier {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <&str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Tier {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'q, Sqlite>>::encode(self.as_str(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Tier {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&str as Decode<'r, Sqlite>>::decode(value)?;
        Tier::from_word(s).ok_or_else(|| format!("unknown tier `{s}`").into())
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
