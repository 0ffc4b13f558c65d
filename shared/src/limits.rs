//! Every bound the café enforces, in one place, so the server, the browser and the docs agree.

/// Idea text, in Unicode scalar values after trimming.
pub const IDEA_TEXT_MAX: usize = 500;
pub const DISPLAY_NAME_MAX: usize = 40;
pub const CAFE_TITLE_MAX: usize = 120;
pub const CAFE_DESCRIPTION_MAX: usize = 2_000;
pub const TABLE_NAME_MAX: usize = 60;
pub const CLUSTER_TITLE_MAX: usize = 80;
/// A vote's title ("Vote on the plenary's themes").
pub const VOTE_TITLE_MAX: usize = 80;
pub const CATEGORY_MAX: usize = 40;
pub const ROUND_PROMPT_MAX: usize = 300;
/// An action's text.
pub const ACTION_TEXT_MAX: usize = 300;
/// An action owner's name when they are not a person of the café (a team, someone absent).
pub const ACTION_OWNER_MAX: usize = 80;
/// Notes one `harvest_ideas` may copy.
pub const HARVEST_BATCH_MAX: usize = 200;
/// Columns a board may define.
pub const BOARD_COLUMNS_MAX: usize = 8;

/// People (of every role) in one café. Sized for a large plenary with head-room.
pub const PEOPLE_PER_CAFE_MAX: usize = 10_000;
pub const TABLES_PER_CAFE_MAX: usize = 200;
pub const IDEAS_PER_CAFE_MAX: usize = 20_000;
pub const CLUSTERS_PER_CAFE_MAX: usize = 2_000;
pub const ROUNDS_PER_CAFE_MAX: u32 = 50;
pub const VOTES_PER_CAFE_MAX: usize = 100;
pub const ACTIONS_PER_CAFE_MAX: usize = 200;
/// Access links one café may hand out (co-facilitators and table hosts, rotations do not
/// count): a hall's worth of table hosts with head-room.
pub const LINKS_PER_CAFE_MAX: usize = 300;
/// A link's hash: SHA-256 in lowercase hex.
pub const LINK_HASH_LEN: usize = 64;
/// Paper-table headcount a scribe can declare.
pub const TABLE_HEADCOUNT_MAX: u32 = 100;

/// Dots per person in one vote.
pub const VOTE_BUDGET_MIN: u32 = 1;
pub const VOTE_BUDGET_MAX: u32 = 20;

/// Timer and round durations.
pub const TIMER_MIN_SECS: u32 = 5;
pub const TIMER_MAX_SECS: u32 = 4 * 60 * 60;

/// Client-made command ids.
pub const COMMAND_ID_MAX: usize = 64;

/// Largest WebSocket message the server reads. The biggest legal command (an idea of 500
/// characters of 4-byte UTF-8, escaped) is far below this.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Reactions one person may send in any window of [`REACTION_WINDOW_MS`]
/// (see [`crate::reactions::ReactionLimiter`]).
pub const REACTIONS_PER_WINDOW: usize = 10;
pub const REACTION_WINDOW_MS: i64 = 10_000;

/// Words in the projector's word cloud: more would be too small to read from the back.
pub const WORD_CLOUD_MAX: usize = 40;
