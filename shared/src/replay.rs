//! Checking a log that did not come from this café's own writer (an imported export).
//!
//! [`CafeState::apply`] trusts its events and skips what it does not understand (it must,
//! for views), so a forged or damaged log could build a café the rules could never reach.
//! [`CafeState::check_replayed`] asks the rules themselves: it turns the event back into the
//! command that would have produced it, from the most permissive actor who could have sent
//! it, and runs [`CafeState::decide`]; the event is accepted only if the decision begins
//! with exactly this event. No rule is restated here, so a rule added to `decide` binds
//! imports too. [`CafeState::check_invariants`] (in `replay/invariants.rs`) then checks what
//! must hold of any state the rules reach; the property tests check it after every decision.
//!
//! Ids are a separate matter: see [`renumber`].

mod invariants;
pub mod renumber;

use crate::command::{Assignment, Command, ItemCount, Seat, SystemCommand};
use crate::decide::Ctx;
use crate::error::Rejection;
use crate::event::{Event, TimerCause};
use crate::ids::PersonId;
use crate::limits::IDEA_TEXT_MAX;
use crate::model::{CafeState, Millis, Phase, Role, Timer, VoteScope};
use crate::text::clean_text;

/// Event times (ms) an import accepts: from the epoch to the end of year 9999. Replaying
/// feeds them to `decide` as "now", whose arithmetic (a timer's end = now + duration) is
/// only meant for real clocks.
pub const LATEST_MILLIS: Millis = 253_402_300_799_999;

/// The question `check_replayed` asks `decide`.
enum Ask {
    Person(PersonId, Millis, Command),
    System(Millis, SystemCommand),
}

impl CafeState {
    /// Whether the rules could have produced `event` from this state: `Ok` if some actor's
    /// command, decided now, begins with exactly this event. The message says why not.
    ///
    /// Facilitator-only commands are asked as the organiser, who may do everything any
    /// facilitator, host or author may do to things they do not own; commands about oneself
    /// (posting, editing one's idea, dots, hands) as the person in the event.
    ///
    /// Two shapes are accepted although today's rules no longer write them, because exports
    /// made before authorship was kept in anonymous cafés hold them: an `idea_posted`
    /// without author, checked as if a facilitator had posted it, and an `idea_edited` of
    /// such an idea, checked as if a facilitator had written it. Likewise a harvested copy
    /// without `provenance`, from exports made before harvests recorded it.
    pub fn check_replayed(&self, event: &Event) -> Result<(), String> {
        // Revoking a link after the café closed removes its person; the export leaves the
        // `link_revoked` out, so the removal stands alone in a phase that takes no
        // `remove_person`. Anyone but the organiser who is still in may be removed so.
        if let (Event::PersonRemoved { person }, Phase::Closed) = (event, self.phase) {
            let target = self
                .active_person(*person)
                .map_err(|r| format!("the rules refuse it ({r})"))?;
            return match target.role {
                Role::Organiser => Err("the organiser cannot be removed".to_owned()),
                _ => Ok(()),
            };
        }
        let ask = match self.question(event)? {
            Some(ask) => ask,
            None => return self.check_legacy_edit(event),
        };
        let decision = match &ask {
            Ask::Person(actor, now, cmd) => self.decide(
                &Ctx {
                    actor: *actor,
                    now: *now,
                    seed: 0,
                },
                cmd,
            ),
            Ask::System(now, cmd) => self.decide_system(*now, cmd),
        }
        .map_err(|r: Rejection| format!("the rules refuse it ({r})"))?;
        let Some(first) = decision.first() else {
            return Err("the rules would change nothing here".to_owned());
        };
        // A phase change now stops the timer and reveals votes first, in the same decision;
        // logs from before that hold the bare `phase_changed`, which the rules still write,
        // just later in the decision.
        if matches!(event, Event::PhaseChanged { .. }) && decision.contains(event) {
            return Ok(());
        }
        if self.same_as_decided(event, first) {
            return Ok(());
        }
        if first.kind() != event.kind() {
            return Err(format!("the rules would first write {} here", first.kind()));
        }
        Err(format!(
            "the rules would write another {} here",
            first.kind()
        ))
    }

    /// The command behind an event; `None` for the one case `decide` cannot be asked (an
    /// edit of an authorless idea).
    fn question(&self, event: &Event) -> Result<Option<Ask>, String> {
        let organiser = self.organiser();
        let by_org = |cmd: Command| match organiser {
            Some(o) => Ok(Some(Ask::Person(o, 0, cmd))),
            None => Err("the café has no organiser yet".to_owned()),
        };
        let at = |now: Millis| {
            if (0..=LATEST_MILLIS).contains(&now) {
                Ok(now)
            } else {
                Err(format!("time {now} is out of range"))
            }
        };
        let timed = |who: Option<PersonId>, now: Millis, cmd: Command| {
            let now = at(now)?;
            match who.or(organiser) {
                Some(p) => Ok(Some(Ask::Person(p, now, cmd))),
                None => Err("the café has no organiser yet".to_owned()),
            }
        };
        let me = |p: PersonId, cmd: Command| Ok(Some(Ask::Person(p, 0, cmd)));
        match event {
            // An export leaves them out: a link opens only the café it was made for.
            Event::LinkIssued { .. } | Event::LinkRotated { .. } | Event::LinkRevoked { .. } => {
                Err("access links are not part of an export".to_owned())
            }
            Event::CafeCreated { info, .. } => Ok(Some(Ask::System(
                at(info.created_at)?,
                SystemCommand::CreateCafe {
                    id: info.id.clone(),
                    code: info.code.clone(),
                    title: info.title.clone(),
                    description: info.description.clone(),
                    mode: info.mode,
                    language: info.language,
                    settings: info.settings.clone(),
                    // Only the first event of the decision is compared; the organiser's
                    // own `person_joined` is checked on its own.
                    organiser_name: "organiser".to_owned(),
                },
            ))),
            Event::CafeUpdated {
                title,
                description,
                mode,
                language,
                settings,
            } => by_org(Command::UpdateCafe {
                title: Some(title.clone()),
                description: Some(description.clone()),
                mode: Some(*mode),
                language: Some(*language),
                settings: Some(settings.clone()),
            }),
            Event::PersonJoined { person } => {
                if self.info.is_some() && self.people.is_empty() && person.role != Role::Organiser {
                    return Err("a café's first person is its organiser".to_owned());
                }
                // Co-facilitators and hosts who arrive as such when no one may join came by
                // an access link (the export leaves the link out): asked as the organiser's
                // invitation, which closed joining or a closed café does not stop. The
                // hash is a stand-in.
                if !self.people.is_empty()
                    && matches!(person.role, Role::Facilitator | Role::Host)
                    && self.may_join().is_err()
                {
                    return timed(
                        None,
                        person.joined_at,
                        Command::IssueLink {
                            role: person.role,
                            name: person.name.clone(),
                            hash: "0".repeat(crate::limits::LINK_HASH_LEN),
                        },
                    );
                }
                // The organiser joins through `create_cafe`, which `join` mirrors exactly
                // but for the role (compared in `same_as_decided`).
                let role = if self.people.is_empty() {
                    Role::Participant
                } else {
                    person.role
                };
                Ok(Some(Ask::System(
                    at(person.joined_at)?,
                    SystemCommand::Join {
                        name: person.name.clone(),
                        role,
                        location: person.location,
                    },
                )))
            }
            Event::PersonRenamed { person, name } => {
                me(*person, Command::Rename { name: name.clone() })
            }
            Event::LocationChanged { person, location } => me(
                *person,
                Command::SetLocation {
                    location: *location,
                },
            ),
            Event::PresenceChanged { person, online } => Ok(Some(Ask::System(
                0,
                SystemCommand::SetPresence {
                    person: *person,
                    online: *online,
                },
            ))),
            Event::ReadyChanged { person, ready } => {
                me(*person, Command::SetReady { ready: *ready })
            }
            Event::HandRaised { person, at: when } => {
                timed(Some(*person), *when, Command::RaiseHand)
            }
            Event::HandLowered { person } => me(*person, Command::LowerHand),
            Event::HandCalled { .. } => by_org(Command::CallNextHand),
            Event::PersonRemoved { person } => by_org(Command::RemovePerson { person: *person }),
            Event::RoleChanged { person, role } => by_org(Command::SetRole {
                person: *person,
                role: *role,
            }),
            Event::JoiningSet { open } => by_org(Command::SetJoining { open: *open }),
            Event::PhaseChanged { phase } => by_org(Command::SetPhase { phase: *phase }),
            Event::TimerChanged { timer, cause } => self.timer_question(*timer, *cause, organiser),
            Event::TableCreated { table, .. } => by_org(Command::CreateTable {
                name: table.name.clone(),
                kind: table.kind,
            }),
            Event::TableRenamed { table, name } => by_org(Command::RenameTable {
                table: *table,
                name: name.clone(),
            }),
            Event::TableHostSet { table, host } => by_org(Command::SetTableHost {
                table: *table,
                person: *host,
            }),
            Event::TableHeadcountSet { table, headcount } => by_org(Command::SetTableHeadcount {
                table: *table,
                headcount: *headcount,
            }),
            // A shuffle's seed is not in the log, so the seats are asked for by hand: each
            // must be one the rules accept (compared in `same_as_decided`).
            Event::RoundStarted { round } => timed(
                None,
                round.started_at,
                Command::StartRound {
                    prompt: round.prompt.clone(),
                    duration_secs: round.duration_secs,
                    assignment: Assignment::Manual {
                        seats: round
                            .assignments
                            .iter()
                            .map(|(p, t)| Seat {
                                person: *p,
                                table: *t,
                            })
                            .collect(),
                    },
                },
            ),
            Event::TableAssigned { person, table } => by_org(Command::AssignTable {
                person: *person,
                table: *table,
            }),
            Event::IdeaPosted { idea } => match idea.harvested_from {
                Some(source) => timed(None, idea.created_at, Command::HarvestIdea { idea: source }),
                None => timed(
                    idea.author,
                    idea.created_at,
                    Command::PostIdea {
                        board: idea.board,
                        text: idea.text.clone(),
                        category: idea.category.clone(),
                    },
                ),
            },
            Event::IdeaEdited {
                idea,
                text,
                category,
                at: when,
            } => {
                let Some(author) = self.ideas.get(idea).map(|i| i.author) else {
                    return Err(format!("no idea {idea}"));
                };
                match author {
                    Some(a) => timed(
                        Some(a),
                        *when,
                        Command::EditIdea {
                            idea: *idea,
                            text: text.clone(),
                            category: category.clone(),
                        },
                    ),
                    None => Ok(None),
                }
            }
            Event::IdeaDeleted { idea } => by_org(Command::DeleteIdea { idea: *idea }),
            Event::IdeaHidden { idea, hidden } => by_org(Command::HideIdea {
                idea: *idea,
                hidden: *hidden,
            }),
            Event::IdeasApproved { ideas, .. } => by_org(Command::ApproveIdeas {
                ideas: ideas.clone(),
            }),
            Event::IdeaRejected { idea } => by_org(Command::RejectIdea { idea: *idea }),
            Event::PrivateWritingSet {
                boards, private, ..
            } => by_org(Command::SetPrivateWriting {
                boards: boards.clone(),
                private: *private,
            }),
            Event::BoardLocked { board, locked } => by_org(Command::LockBoard {
                board: *board,
                locked: *locked,
            }),
            Event::ProjectorSet { board, view } => by_org(Command::SetProjector {
                board: *board,
                view: *view,
            }),
            Event::BoardColumnsSet { board, columns } => by_org(Command::SetBoardColumns {
                board: *board,
                columns: columns.clone(),
            }),
            // The ideas that join a new cluster follow as `idea_moved` events.
            Event::ClusterCreated { cluster } => by_org(Command::CreateCluster {
                board: cluster.board,
                title: cluster.title.clone(),
                ideas: Vec::new(),
            }),
            Event::ClusterRenamed { cluster, title } => by_org(Command::RenameCluster {
                cluster: *cluster,
                title: title.clone(),
            }),
            Event::IdeaMoved { idea, cluster } => by_org(Command::MoveIdea {
                idea: *idea,
                cluster: *cluster,
            }),
            Event::ClustersMerged { from, into } => by_org(Command::MergeClusters {
                from: *from,
                into: *into,
            }),
            Event::ClusterDeleted { cluster } => {
                by_org(Command::DeleteCluster { cluster: *cluster })
            }
            Event::VoteOpened { vote } => timed(
                None,
                vote.opened_at,
                Command::OpenVote {
                    scope: VoteScope::Boards {
                        boards: vote.boards.clone(),
                    },
                    target: vote.target,
                    budget: vote.budget,
                    per_item_cap: vote.per_item_cap,
                    visibility: vote.visibility,
                    title: vote.title.clone(),
                },
            ),
            Event::DotCast { vote, person, item } => me(
                *person,
                Command::CastDot {
                    vote: *vote,
                    item: *item,
                },
            ),
            Event::DotRetracted { vote, person, item } => me(
                *person,
                Command::RetractDot {
                    vote: *vote,
                    item: *item,
                },
            ),
            Event::TallyEntered {
                vote,
                table,
                counts,
            } => by_org(Command::EnterTally {
                vote: *vote,
                table: *table,
                counts: counts
                    .iter()
                    .map(|(item, dots)| ItemCount {
                        item: *item,
                        dots: *dots,
                    })
                    .collect(),
            }),
            Event::VoteDraftSet { draft } => by_org(Command::SetVoteDraft {
                draft: draft.clone(),
            }),
            Event::VoteProgress { .. } => {
                Err("vote_progress only exists in views, never in a café's log".to_owned())
            }
            Event::VoteClosed { vote } => by_org(Command::CloseVote { vote: *vote }),
            Event::VoteRevealed { vote, .. } => by_org(Command::RevealVote { vote: *vote }),
            Event::ActionCreated { action } => timed(
                None,
                action.created_at,
                Command::CreateAction {
                    text: action.text.clone(),
                    owner: action.owner,
                    owner_name: action.owner_name.clone(),
                    due: action.due.clone(),
                    source: action.source,
                },
            ),
            Event::ActionEdited {
                action,
                text,
                owner,
                owner_name,
                due,
                at: when,
            } => timed(
                None,
                *when,
                Command::EditAction {
                    action: *action,
                    text: text.clone(),
                    owner: *owner,
                    owner_name: owner_name.clone(),
                    due: due.clone(),
                },
            ),
            Event::ActionStatusSet {
                action,
                status,
                at: when,
            } => timed(
                None,
                *when,
                Command::SetActionStatus {
                    action: *action,
                    status: *status,
                },
            ),
            Event::ActionDeleted { action } => by_org(Command::DeleteAction { action: *action }),
        }
    }

    /// The timer command behind a `timer_changed`, with the "now" it must have been decided
    /// at (recovered from the times in the event and the current timer).
    fn timer_question(
        &self,
        timer: Timer,
        cause: TimerCause,
        organiser: Option<PersonId>,
    ) -> Result<Option<Ask>, String> {
        let Some(org) = organiser else {
            return Err("the café has no organiser yet".to_owned());
        };
        let in_range = |t: Millis| (0..=LATEST_MILLIS).contains(&t);
        let secs = |ms: i64| -> Result<u32, String> {
            if ms % 1000 != 0 {
                return Err(format!("{ms} ms is not whole seconds"));
            }
            u32::try_from(ms / 1000).map_err(|_| format!("{ms} ms is out of range"))
        };
        let (now, cmd) = match (cause, timer, self.timer) {
            (
                TimerCause::Started,
                Timer::Running {
                    ends_at,
                    duration_ms,
                },
                _,
            ) if in_range(ends_at) => (
                ends_at - duration_ms.clamp(0, ends_at),
                Command::StartTimer {
                    duration_secs: secs(duration_ms)?,
                },
            ),
            (
                TimerCause::Paused,
                Timer::Paused { remaining_ms, .. },
                Timer::Running { ends_at, .. },
            ) => (
                ends_at - remaining_ms.clamp(0, ends_at),
                Command::PauseTimer,
            ),
            (
                TimerCause::Resumed,
                Timer::Running { ends_at, .. },
                Timer::Paused { remaining_ms, .. },
            ) if in_range(ends_at) => (
                ends_at - remaining_ms.clamp(0, ends_at),
                Command::ResumeTimer,
            ),
            (TimerCause::Extended, new, old) => {
                let duration = |t: Timer| match t {
                    Timer::Idle => 0,
                    Timer::Running { duration_ms, .. }
                    | Timer::Paused { duration_ms, .. }
                    | Timer::Ended { duration_ms, .. } => duration_ms,
                };
                let add = duration(new).saturating_sub(duration(old));
                let now = match (old, new) {
                    // Running: the end moves from max(end, now); without a later "now" in
                    // the event, the latest consistent one is the old end.
                    (Timer::Running { ends_at: e, .. }, Timer::Running { ends_at, .. }) => {
                        ends_at.saturating_sub(add).max(e)
                    }
                    (Timer::Ended { .. }, Timer::Running { ends_at, .. }) => {
                        ends_at.saturating_sub(add)
                    }
                    _ => 0,
                };
                (now, Command::ExtendTimer { secs: secs(add)? })
            }
            (TimerCause::Stopped, _, _) => (0, Command::StopTimer),
            (TimerCause::Ended, Timer::Ended { ended_at, .. }, Timer::Running { ends_at, .. }) => {
                if !in_range(ended_at) {
                    return Err(format!("time {ended_at} is out of range"));
                }
                return Ok(Some(Ask::System(
                    ended_at,
                    SystemCommand::ExpireTimer { ends_at },
                )));
            }
            _ => return Err(format!("a {cause:?} timer cannot become {timer:?} here")),
        };
        if !in_range(now) {
            return Err(format!("time {now} is out of range"));
        }
        Ok(Some(Ask::Person(org, now, cmd)))
    }

    /// Whether the event is the decided one. Exact, but for the parts `check_replayed`
    /// could not put into the question: a round may seat fewer people than asked for by
    /// hand (a shuffle leaves facilitators where they are), the organiser's own
    /// `person_joined` carries the organiser role, an authorless idea the poster's traits.
    fn same_as_decided(&self, event: &Event, decided: &Event) -> bool {
        match (event, decided) {
            (Event::RoundStarted { round }, Event::RoundStarted { round: d }) => {
                round.number == d.number
                    && round.prompt == d.prompt
                    && round.duration_secs == d.duration_secs
                    && round.started_at == d.started_at
                    && round
                        .assignments
                        .iter()
                        .all(|(p, t)| d.assignments.get(p) == Some(t))
            }
            (Event::PersonJoined { person }, Event::PersonJoined { person: d })
                if self.people.is_empty() =>
            {
                let mut d = d.clone();
                d.role = Role::Organiser;
                *person == d
            }
            // Exports made before harvests recorded where a copy came from hold copies
            // without `provenance`; everything else about them must still be the rules'.
            (Event::IdeaPosted { idea }, Event::IdeaPosted { idea: d })
                if idea.harvested_from.is_some() && idea.provenance.is_none() =>
            {
                let mut d = d.clone();
                d.provenance = None;
                *idea == d
            }
            (Event::IdeaPosted { idea }, Event::IdeaPosted { idea: d })
                if idea.author.is_none() && idea.harvested_from.is_none() =>
            {
                let mut d = d.clone();
                d.author = None;
                d.hidden = idea.hidden;
                d.origin = idea.origin;
                d.scribed = idea.scribed;
                *idea == d
            }
            _ => event == decided,
        }
    }

    /// An edit of an authorless idea (see [`Self::check_replayed`]): checked as an edit by
    /// a facilitating author would be. Such an author may edit exactly when a facilitator may
    /// delete the idea (it exists and is on no open ballot), and the new text and category
    /// must be what the rules would store, and a change.
    fn check_legacy_edit(&self, event: &Event) -> Result<(), String> {
        let organiser = self.organiser();
        let (
            Event::IdeaEdited {
                idea,
                text,
                category,
                ..
            },
            Some(org),
        ) = (event, organiser)
        else {
            return Err("the café has no organiser yet".to_owned());
        };
        let refused = |r: Rejection| format!("the rules refuse it ({r})");
        self.may_delete_idea(org, *idea).map_err(refused)?;
        let i = self.idea(*idea).map_err(refused)?;
        let b = self.board(i.board).map_err(refused)?;
        let clean = clean_text(text, "idea", 1, IDEA_TEXT_MAX).map_err(refused)?;
        let clean_category = self
            .check_category(b, category.as_deref())
            .map_err(refused)?;
        if clean != *text || clean_category != *category {
            return Err("the rules would store another text or category".to_owned());
        }
        if *text == i.text && *category == i.category {
            return Err("the rules would change nothing here".to_owned());
        }
        Ok(())
    }
}
