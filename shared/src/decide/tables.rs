//! Deciding tables, hosts, headcounts, rounds and who sits where.

use super::{validate_duration, Act, Decision, Ids};
use crate::command::Assignment;
use crate::error::{reject, ErrorCode};
use crate::event::{Event, TimerCause};
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use crate::shuffle;
use crate::text::{clean_line, clean_text};
use std::collections::{BTreeMap, BTreeSet};

impl CafeState {
    pub(crate) fn decide_create_table(&self, a: &Act, name: &str, kind: TableKind) -> Decision {
        let mut ids = Ids(self.next_id);
        self.may_facilitate(a.me)?;
        let name = clean_line(name, "table name", TABLE_NAME_MAX)?;
        if self.tables.len() >= TABLES_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café has at most {TABLES_PER_CAFE_MAX} tables"),
            );
        }
        let table_id = TableId(ids.next());
        let board_id = BoardId(ids.next());
        Ok(vec![Event::TableCreated {
            table: Table {
                id: table_id,
                name,
                kind,
                board: board_id,
                host: None,
                headcount: 0,
            },
            board: Board {
                id: board_id,
                table: Some(table_id),
                locked: false,
                columns: Vec::new(),
                private: false,
            },
        }])
    }

    pub(crate) fn decide_rename_table(&self, a: &Act, table: TableId, name: &str) -> Decision {
        self.may_rename_table(a.me, table)?;
        let name = clean_line(name, "table name", TABLE_NAME_MAX)?;
        Ok(vec![Event::TableRenamed { table, name }])
    }

    pub(crate) fn decide_set_table_host(
        &self,
        a: &Act,
        table: TableId,
        person: Option<PersonId>,
    ) -> Decision {
        self.may_set_table_host(a.me, table, person)?;
        let t = self.table(table)?;
        let Some(person) = person else {
            if t.host.is_none() {
                return Ok(vec![]);
            }
            return Ok(vec![Event::TableHostSet { table, host: None }]);
        };
        let p = self.active_person(person)?;
        if t.host == Some(person) {
            return Ok(vec![]);
        }
        let mut events = Vec::new();
        for other in self.tables.values().filter(|o| o.host == Some(person)) {
            events.push(Event::TableHostSet {
                table: other.id,
                host: None,
            });
        }
        if p.role != Role::Host {
            events.push(Event::RoleChanged {
                person,
                role: Role::Host,
            });
        }
        events.push(Event::TableHostSet {
            table,
            host: Some(person),
        });
        Ok(events)
    }

    pub(crate) fn decide_set_table_headcount(
        &self,
        a: &Act,
        table: TableId,
        headcount: u32,
    ) -> Decision {
        self.may_set_headcount(a.me, table)?;
        let t = self.table(table)?;
        if headcount > TABLE_HEADCOUNT_MAX {
            return reject(
                ErrorCode::Invalid,
                why!("a table seats at most {TABLE_HEADCOUNT_MAX} people"),
            );
        }
        // A paper tally is bounded by headcount × budget and headcount × cap when
        // entered; shrinking the table afterwards must not make it exceed them.
        for v in self.votes.values().filter(|v| v.status == VoteStatus::Open) {
            if let Some(t) = v.tallies.get(&table) {
                let sum: u64 = t.values().map(|n| u64::from(*n)).sum();
                let top = t.values().copied().max().unwrap_or(0);
                let hc = u64::from(headcount);
                if sum > hc * u64::from(v.budget) || u64::from(top) > hc * u64::from(v.per_item_cap)
                {
                    return reject(
                        ErrorCode::Conflict,
                        "this table's tally in an open vote needs more people; \
                         correct the tally first",
                    );
                }
            }
        }
        if t.headcount == headcount {
            return Ok(vec![]);
        }
        Ok(vec![Event::TableHeadcountSet { table, headcount }])
    }

    pub(crate) fn decide_start_round(
        &self,
        a: &Act,
        prompt: &str,
        duration_secs: u32,
        assignment: &Assignment,
    ) -> Decision {
        self.may_start_round(a.me)?;
        let prompt = clean_text(prompt, "prompt", 0, ROUND_PROMPT_MAX)?;
        if duration_secs != 0 {
            validate_duration(duration_secs)?;
        }
        self.round_events(a.now, a.seed, prompt, duration_secs, assignment)
    }

    /// A round's events once who asks and what they typed are checked: the seats, then
    /// its timer.
    pub(crate) fn round_events(
        &self,
        now: Millis,
        seed: u64,
        prompt: String,
        duration_secs: u32,
        assignment: &Assignment,
    ) -> Decision {
        let assignments = match assignment {
            Assignment::Shuffle => shuffle::shuffle(self, seed),
            Assignment::Keep => self.keep_seats(),
            Assignment::Manual { seats } => {
                let mut map = self.keep_seats();
                let mut seen = BTreeSet::new();
                for s in seats {
                    if !seen.insert(s.person) {
                        return reject(
                            ErrorCode::Invalid,
                            why!("person {} is seated twice", s.person),
                        );
                    }
                    self.check_seat(s.person, s.table)?;
                    // Hosts stay at their tables (`table_of` would keep them there
                    // anyway, so a different seat would only make the round lie).
                    if self
                        .tables
                        .values()
                        .any(|t| t.host == Some(s.person) && t.id != s.table)
                    {
                        return reject(
                            ErrorCode::Conflict,
                            why!("person {} hosts a table; free the table first", s.person),
                        );
                    }
                    map.insert(s.person, s.table);
                }
                map
            }
        };
        let number = self.rounds.len() as u32 + 1;
        let mut events = vec![Event::RoundStarted {
            round: Round {
                number,
                prompt,
                duration_secs,
                started_at: now,
                assignments,
            },
        }];
        if duration_secs > 0 {
            let d = i64::from(duration_secs) * 1000;
            events.push(Event::TimerChanged {
                timer: Timer::Running {
                    ends_at: now + d,
                    duration_ms: d,
                },
                cause: TimerCause::Started,
            });
        }
        Ok(events)
    }

    pub(crate) fn decide_assign_table(
        &self,
        a: &Act,
        person: PersonId,
        table: TableId,
    ) -> Decision {
        self.may_assign_table(a.me, person, table)?;
        Ok(vec![Event::TableAssigned { person, table }])
    }

    /// Everyone keeps the table they had in the previous round (if it still fits them);
    /// hosts sit at their own tables.
    fn keep_seats(&self) -> BTreeMap<PersonId, TableId> {
        let mut map = BTreeMap::new();
        if let Some(r) = self.current_round() {
            for (p, t) in &r.assignments {
                if self.check_seat(*p, *t).is_ok() {
                    map.insert(*p, *t);
                }
            }
        }
        for t in self.tables.values() {
            if let Some(h) = t.host {
                map.insert(h, t.id);
            }
        }
        map
    }
}
