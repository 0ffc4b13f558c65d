//! What each recent command id was answered, so a re-sent command gets the same answer.

use cafe_shared::{ErrorCode, PersonId, ServerFrame};
use std::collections::{HashMap, VecDeque};

/// The outcome a command id was given; re-sent ids get it again.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Ack(u64),
    Reject(ErrorCode, String),
}

impl Outcome {
    pub(super) fn seq(&self) -> Option<u64> {
        match self {
            Outcome::Ack(seq) => Some(*seq),
            Outcome::Reject(..) => None,
        }
    }

    pub(super) fn frame(&self, id: &str) -> ServerFrame {
        match self {
            Outcome::Ack(seq) => ServerFrame::Ack {
                id: id.to_owned(),
                seq: *seq,
            },
            Outcome::Reject(code, message) => ServerFrame::Reject {
                id: id.to_owned(),
                code: *code,
                message: message.clone(),
            },
        }
    }
}

/// The outcome of each person's recent command ids. A client only ever re-sends what its
/// outbox still holds, so the last `OUTCOMES_PER_PERSON` ids per person are plenty and
/// memory stays bounded over a long café.
#[derive(Default)]
pub(super) struct Outcomes {
    map: HashMap<(PersonId, String), Outcome>,
    order: HashMap<PersonId, VecDeque<String>>,
}

const OUTCOMES_PER_PERSON: usize = 1024;

impl Outcomes {
    pub(super) fn get(&self, key: &(PersonId, String)) -> Option<&Outcome> {
        self.map.get(key)
    }

    pub(super) fn insert(&mut self, key: (PersonId, String), outcome: Outcome) {
        let (person, id) = key;
        let order = self.order.entry(person).or_default();
        order.push_back(id.clone());
        if order.len() > OUTCOMES_PER_PERSON {
            if let Some(old) = order.pop_front() {
                self.map.remove(&(person, old));
            }
        }
        self.map.insert((person, id), outcome);
    }
}
