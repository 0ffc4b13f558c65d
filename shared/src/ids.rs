//! Identifiers. Every entity inside a café gets its number from one per-café counter that
//! lives in the state, so `decide` stays deterministic and a replayed log rebuilds the very
//! same ids.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A person (organiser, facilitator, host or participant) within one café.
    PersonId
);
id_type!(
    /// A table, in-room or virtual.
    TableId
);
id_type!(
    /// A board: one per table plus the café-wide plenary board.
    BoardId
);
id_type!(
    /// An idea (sticky note) on a board.
    IdeaId
);
id_type!(
    /// A cluster of ideas on a board.
    ClusterId
);
id_type!(
    /// A dot vote.
    VoteId
);
id_type!(
    /// An action: what the café decided to do next, with an owner and a due date.
    ActionId
);

/// A thing that can receive dots: an idea or a cluster, depending on the vote's target.
/// Ideas and clusters share one id counter, so the raw number is unambiguous within a café.
pub type ItemId = u64;

/// The café's global id. Made by the server (random), opaque to everybody else.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CafeId(pub String);

impl fmt::Display for CafeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Short human join code, e.g. `K7M-Q2P`.
///
/// The alphabet leaves out 0/O, 1/I/L so that a code read aloud across a noisy room or copied
/// from a projector cannot be misread. Stored without separators, shown in groups of three.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JoinCode(String);

impl JoinCode {
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    pub const MIN_LEN: usize = 6;
    pub const MAX_LEN: usize = 8;

    /// Accepts what people actually type: lower case, spaces, dashes.
    pub fn parse(input: &str) -> Result<Self, JoinCodeError> {
        let mut out = String::with_capacity(Self::MAX_LEN);
        for c in input.chars() {
            if c == '-' || c == ' ' || c == '.' {
                continue;
            }
            let up = c.to_ascii_uppercase();
            if !up.is_ascii() || !Self::ALPHABET.contains(&(up as u8)) {
                return Err(JoinCodeError::BadCharacter(c));
            }
            out.push(up);
        }
        if out.len() < Self::MIN_LEN || out.len() > Self::MAX_LEN {
            return Err(JoinCodeError::BadLength(out.len()));
        }
        Ok(Self(out))
    }

    /// Builds a code from random bytes (the server supplies the randomness so this crate
    /// stays free of I/O). Each byte picks one symbol; the small modulo bias is irrelevant
    /// because guessing is throttled server-side.
    pub fn from_random(bytes: &[u8]) -> Result<Self, JoinCodeError> {
        let s: String = bytes
            .iter()
            .map(|b| Self::ALPHABET[*b as usize % Self::ALPHABET.len()] as char)
            .collect();
        Self::parse(&s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading aloud: `K7MQ2P` → `K7M-Q2P`, `K7MQ2PX4` → `K7MQ-2PX4`.
    pub fn display(&self) -> String {
        let split = if self.0.len() == 6 || self.0.len() == 7 {
            3
        } else {
            4
        };
        format!("{}-{}", &self.0[..split], &self.0[split..])
    }
}

impl fmt::Display for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl TryFrom<String> for JoinCode {
    type Error = JoinCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<JoinCode> for String {
    fn from(value: JoinCode) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinCodeError {
    #[error(
        "join codes use only the letters and digits shown on screen; '{0}' is not one of them"
    )]
    BadCharacter(char),
    #[error("a join code has 6 to 8 characters, this one has {0}")]
    BadLength(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_type() {
        let c = JoinCode::parse("k7m-q2p").unwrap();
        assert_eq!(c.as_str(), "K7MQ2P");
        assert_eq!(c.display(), "K7M-Q2P");
        assert_eq!(JoinCode::parse(" K7M Q2P ").unwrap(), c);
        assert_eq!(JoinCode::parse("K7MQ2PX4").unwrap().display(), "K7MQ-2PX4");
    }

    #[test]
    fn rejects_ambiguous_and_wrong_length() {
        assert_eq!(
            JoinCode::parse("K7M-Q2O"),
            Err(JoinCodeError::BadCharacter('O'))
        );
        assert!(matches!(
            JoinCode::parse("K1MQ2P"),
            Err(JoinCodeError::BadCharacter('1'))
        ));
        assert_eq!(JoinCode::parse("K7M"), Err(JoinCodeError::BadLength(3)));
        assert_eq!(
            JoinCode::parse("K7MQ2PXYZ"),
            Err(JoinCodeError::BadLength(9))
        );
    }

    #[test]
    fn random_codes_are_valid() {
        let c = JoinCode::from_random(&[0, 255, 17, 99, 200, 31]).unwrap();
        assert_eq!(c.as_str().len(), 6);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<JoinCode>(&json).unwrap(), c);
        assert!(serde_json::from_str::<JoinCode>("\"OOOOOO\"").is_err());
    }
}
