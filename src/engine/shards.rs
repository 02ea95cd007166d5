//! Which channels' scheduled work this process does, when several bot processes share one
//! database (issue 12): each holds a range of Discord gateway shards, and one of them runs
//! Slack.
//!
//! Discord puts a guild on shard `(guild_id >> 22) % shard_count` (Discord's developer
//! documentation, "Gateway › Sharding › Sharding Formula"; direct messages go to shard 0). A
//! process posts the question of the day, the weekly leaderboard and the reveal at close only
//! for channels of the platforms it runs and, on Discord, of the guilds on its own shards
//! ([`Ownership::owns`]). That split is for locality and load; *once* is guaranteed by the
//! database, not by it: a schedule's run is claimed by compare-and-set on its `next_run_at`
//! and a post closes with `WHERE closed_at IS NULL` (`store::claim_run`, `store::close_post`),
//! so two processes ticking together never both post, whatever their configuration.
//! Answers, votes and commands are handled by whichever process receives them.

use crate::engine::event::ChannelRef;

/// A contiguous range of Discord gateway shards out of a total: `first..=last` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSet {
    first: u32,
    last: u32,
    count: u32,
}

/// A shard range that cannot be used; the message says what a good one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(String);

/// Example settings shown with every shard error.
const EXAMPLE: &str =
    "for example DISCORD_SHARDS=0-3 with DISCORD_SHARD_COUNT=8 (this process holds shards 0 to 3 of 8)";

impl ShardSet {
    /// Shards `first..=last` of `count`.
    ///
    /// Errors: `count` is 0, `first > last`, or `last >= count`.
    pub fn new(first: u32, last: u32, count: u32) -> Result<ShardSet, ShardError> {
        if count == 0 {
            return Err(ShardError(format!(
                "the shard count must be at least 1; {EXAMPLE}"
            )));
        }
        if first > last {
            return Err(ShardError(format!(
                "the shard range {first}-{last} is backwards; {EXAMPLE}"
            )));
        }
        if last >= count {
            return Err(ShardError(format!(
                "shard {last} does not exist with {count} shard(s): shards are numbered 0 to {}; {EXAMPLE}",
                count - 1
            )));
        }
        Ok(ShardSet { first, last, count })
    }

    /// From the settings' text: `range` is `N` or `N-M` (inclusive), `count` the total.
    ///
    /// Errors: a malformed range, a missing count, or what [`ShardSet::new`] rejects.
    pub fn parse(range: &str, count: Option<u32>) -> Result<ShardSet, ShardError> {
        let Some(count) = count else {
            return Err(ShardError(format!(
                "DISCORD_SHARDS needs DISCORD_SHARD_COUNT (the total across all processes); {EXAMPLE}"
            )));
        };
        let number = |s: &str| {
            s.trim().parse::<u32>().map_err(|_| {
                ShardError(format!(
                    "`{}` is not a shard range: write N or N-M; {EXAMPLE}",
                    range.trim()
                ))
            })
        };
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(range)?;
                (n, n)
            }
        };
        ShardSet::new(first, last, count)
    }

    /// The first shard held.
    pub fn first(&self) -> u32 {
        self.first
    }

    /// The last shard held (inclusive).
    pub fn last(&self) -> u32 {
        self.last
    }

    /// The total number of shards across all processes.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The shard a guild is on, of `count`: `(guild_id >> 22) % count` (Discord's sharding
    /// formula; the top 42 bits of a snowflake are its creation time). `count` 0 counts as 1.
    pub fn shard_of(guild_id: u64, count: u32) -> u32 {
        ((guild_id >> 22) % u64::from(count.max(1))) as u32
    }

    /// Whether shard `shard` is in this range.
    pub fn holds(&self, shard: u32) -> bool {
        (self.first..=self.last).contains(&shard)
    }

    /// Whether the guild is on one of these shards.
    pub fn holds_guild(&self, guild_id: u64) -> bool {
        self.holds(ShardSet::shard_of(guild_id, self.count))
    }
}

/// What this process does the scheduled work of ([`Ownership::owns`]). The default,
/// [`Ownership::all`], is everything: one process, the usual deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    /// The platforms this process runs (`discord`, `slack`, `console`); `None`: all of them.
    pub platforms: Option<Vec<String>>,
    /// The Discord shards this process holds; `None`: every guild.
    pub discord_shards: Option<ShardSet>,
}

impl Ownership {
    /// Everything (a single process).
    pub fn all() -> Ownership {
        Ownership::default()
    }

    /// Whether this process does the scheduled work of `channel`: its platform is one this
    /// process runs and, on Discord with a shard range, its guild (`workspace`) is on one of
    /// the shards held. A Discord channel without a guild (a direct message) is on shard 0, as
    /// Discord routes it.
    pub fn owns(&self, channel: &ChannelRef) -> bool {
        if let Some(platforms) = &self.platforms {
            if !platforms.contains(&channel.platform) {
                return false;
            }
        }
        match (&self.discord_shards, channel.platform.as_str()) {
            (Some(set), "discord") => match channel.workspace.as_deref().map(str::parse::<u64>) {
                Some(Ok(guild)) => set.holds_guild(guild),
                _ => set.holds(0),
            },
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discord(guild: Option<u64>) -> ChannelRef {
        ChannelRef {
            platform: "discord".into(),
            id: "1".into(),
            workspace: guild.map(|g| g.to_string()),
        }
    }

    #[test]
    fn parses_ranges_and_single_shards() {
        let s = ShardSet::parse("0-3", Some(8)).unwrap();
        assert_eq!((s.first(), s.last(), s.count()), (0, 3, 8));
        let s = ShardSet::parse(" 5 ", Some(8)).unwrap();
        assert_eq!((s.first(), s.last(), s.count()), (5, 5, 8));
    }

    #[test]
    fn bad_ranges_say_what_a_good_one_is() {
        for (range, count, needle) in [
            ("0-3", None, "needs DISCORD_SHARD_COUNT"),
            ("3-1", Some(8), "backwards"),
            ("0-8", Some(8), "shard 8 does not exist with 8 shard(s)"),
            ("a-b", Some(8), "`a-b` is not a shard range"),
            ("0", Some(0), "at least 1"),
        ] {
            let e = ShardSet::parse(range, count).unwrap_err().to_string();
            assert!(e.contains(needle), "{range}: {e}");
            assert!(e.contains("DISCORD_SHARDS=0-3"), "{range}: no example: {e}");
        }
    }

    #[test]
    fn the_sharding_formula_uses_the_snowflake_timestamp_bits() {
        // 41771983423143937 >> 22 = 9959216934 (its creation time in ms since 2015), even.
        assert_eq!(ShardSet::shard_of(41_771_983_423_143_937, 2), 0);
        assert_eq!(
            ShardSet::shard_of(41_771_983_423_143_937, 7),
            (9_959_216_934_u64 % 7) as u32
        );
        assert_eq!(ShardSet::shard_of(10, 8), 0);
        assert_eq!(ShardSet::shard_of(1 << 22, 2), 1);
        assert_eq!(ShardSet::shard_of(3 << 22, 2), 1);
        assert_eq!(ShardSet::shard_of(4 << 22, 2), 0);
    }

    #[test]
    fn ownership_follows_platforms_and_shards() {
        let first_half = Ownership {
            platforms: Some(vec!["discord".into()]),
            discord_shards: Some(ShardSet::new(0, 0, 2).unwrap()),
        };
        assert!(first_half.owns(&discord(Some(10))));
        assert!(!first_half.owns(&discord(Some(1 << 22))));
        assert!(
            first_half.owns(&discord(None)),
            "direct messages are on shard 0"
        );
        assert!(!first_half.owns(&ChannelRef::new("slack", "C1")));
        let second_half = Ownership {
            platforms: None,
            discord_shards: Some(ShardSet::new(1, 1, 2).unwrap()),
        };
        assert!(second_half.owns(&discord(Some(1 << 22))));
        assert!(!second_half.owns(&discord(None)));
        assert!(second_half.owns(&ChannelRef::new("slack", "C1")));
        assert!(Ownership::all().owns(&discord(Some(1 << 22))));
    }
}
