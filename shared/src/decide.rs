//! Deciding commands: the café's rules, written once. The server runs this in the café's
//! single writer. The browser never runs `decide`: it asks the same rules through the
//! predicates in `permits.rs` (`may_post`, …), which `decide` calls too.

use crate::command::{Assignment, Command, ItemCount, SystemCommand};
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::{Event, TimerCause};
use crate::ids::{BoardId, ClusterId, IdeaId, ItemId, PersonId, TableId, VoteId};
use crate::limits::*;
use crate::model::{
    Board, CafeInfo, CafeState, Cluster, Idea, Millis, Person, Phase, Role, Round, Table, Timer,
    Vote, VoteStatus, VoteTarget,
};
use crate::shuffle;
use crate::text::{clean_line, clean_text};
use std::collections::{BTreeMap, BTreeSet};

/// Who asks, and when. `seed` feeds the shuffle so that the decision is reproducible in
/// tests while the server passes fresh randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    pub actor: PersonId,
    pub now: Millis,
    pub seed: u64,
}

type Decision = Result<Vec<Event>, Rejection>;

/// Hands out entity ids for events of one decision.
struct Ids(u64);
impl Ids {
    fn next(&mut self) -> u64 {
        let id = self.0;
        self.0 += 1;
        id
    }
}

impl CafeState {
    /// Decides a person's command. Never mutates; the caller applies the events it gets.
    pub fn decide(&self, ctx: &Ctx, cmd: &Command) -> Decision {
        let actor = match cmd {
            Command::SetPhase { .. } => self.member(ctx.actor)?,
            _ => self.acting(ctx.actor)?,
        };
        let fac = actor.role.is_facilitator();
        let me = actor.id;
        let now = ctx.now;
        let mut ids = Ids(self.next_id);

        match cmd {
            Command::UpdateCafe {
                title,
                description,
                mode,
                language,
                settings,
            } => {
                self.may_facilitate(me)?;
                let Some(info) = self.info.as_ref() else {
                    return reject(ErrorCode::NotFound, "no café");
                };
                let title = match title {
                    Some(t) => clean_line(t, "title", CAFE_TITLE_MAX)?,
                    None => info.title.clone(),
                };
                let description = match description {
                    Some(d) => clean_text(d, "description", 0, CAFE_DESCRIPTION_MAX)?,
                    None => info.description.clone(),
                };
                let settings = match settings {
                    Some(s) => {
                        validate_vote_numbers(s.default_budget, s.default_per_item_cap)?;
                        if s.anonymous != info.settings.anonymous && !self.ideas.is_empty() {
                            return reject(
                                ErrorCode::Conflict,
                                "anonymity can only change before the first idea is posted",
                            );
                        }
                        s.clone()
                    }
                    None => info.settings.clone(),
                };
                Ok(vec![Event::CafeUpdated {
                    title,
                    description,
                    mode: mode.unwrap_or(info.mode),
                    language: language.unwrap_or(info.language),
                    settings,
                }])
            }
            Command::Rename { name } => {
                let name = clean_line(name, "name", DISPLAY_NAME_MAX)?;
                if name == actor.name {
                    return Ok(vec![]);
                }
                Ok(vec![Event::PersonRenamed { person: me, name }])
            }
            Command::SetLocation { location } => {
                if *location == actor.location {
                    return Ok(vec![]);
                }
                self.may_set_location(me)?;
                Ok(vec![Event::LocationChanged {
                    person: me,
                    location: *location,
                }])
            }
            Command::SetReady { ready } => {
                if actor.ready == *ready {
                    return Ok(vec![]);
                }
                Ok(vec![Event::ReadyChanged {
                    person: me,
                    ready: *ready,
                }])
            }
            Command::RaiseHand => {
                self.may_raise_hand(me)?;
                if self.hands.contains(&me) {
                    return Ok(vec![]);
                }
                Ok(vec![Event::HandRaised {
                    person: me,
                    at: now,
                }])
            }
            Command::LowerHand => {
                self.may_raise_hand(me)?;
                if !self.hands.contains(&me) {
                    return Ok(vec![]);
                }
                Ok(vec![Event::HandLowered { person: me }])
            }
            Command::CallNextHand => {
                self.may_call_next_hand(me)?;
                match self.hands.first() {
                    Some(p) => Ok(vec![Event::HandCalled { person: *p }]),
                    None => reject(ErrorCode::Conflict, "no hand is raised"),
                }
            }
            Command::RemovePerson { person } => {
                self.may_remove_person(me, *person)?;
                Ok(vec![Event::PersonRemoved { person: *person }])
            }
            Command::SetRole { person, role } => {
                self.may_set_role(me, *person, *role)?;
                let target = self.active_person(*person)?;
                if target.role == *role {
                    return Ok(vec![]);
                }
                let mut events = Vec::new();
                if *role != Role::Host {
                    // A host seat is the one thing that depends on the role: free it.
                    for t in self.tables.values().filter(|t| t.host == Some(*person)) {
                        events.push(Event::TableHostSet {
                            table: t.id,
                            host: None,
                        });
                    }
                }
                events.push(Event::RoleChanged {
                    person: *person,
                    role: *role,
                });
                Ok(events)
            }

            Command::SetPhase { phase } => {
                self.may_set_phase(me)?;
                if *phase == self.phase {
                    return Ok(vec![]);
                }
                Ok(vec![Event::PhaseChanged { phase: *phase }])
            }
            Command::StartTimer { duration_secs } => {
                self.may_facilitate(me)?;
                validate_duration(*duration_secs)?;
                let d = i64::from(*duration_secs) * 1000;
                Ok(vec![Event::TimerChanged {
                    timer: Timer::Running {
                        ends_at: now + d,
                        duration_ms: d,
                    },
                    cause: TimerCause::Started,
                }])
            }
            Command::PauseTimer => {
                self.may_pause_timer(me, now)?;
                match self.timer {
                    Timer::Running {
                        ends_at,
                        duration_ms,
                    } if ends_at > now => Ok(vec![Event::TimerChanged {
                        timer: Timer::Paused {
                            remaining_ms: ends_at - now,
                            duration_ms,
                        },
                        cause: TimerCause::Paused,
                    }]),
                    _ => reject(ErrorCode::Conflict, "the timer is not running"),
                }
            }
            Command::ResumeTimer => {
                self.may_resume_timer(me)?;
                match self.timer {
                    Timer::Paused {
                        remaining_ms,
                        duration_ms,
                    } => Ok(vec![Event::TimerChanged {
                        timer: Timer::Running {
                            ends_at: now + remaining_ms,
                            duration_ms,
                        },
                        cause: TimerCause::Resumed,
                    }]),
                    _ => reject(ErrorCode::Conflict, "the timer is not paused"),
                }
            }
            Command::ExtendTimer { secs } => {
                // `may_extend_timer` in two steps: the seconds are checked before the timer.
                self.may_facilitate(me)?;
                if *secs == 0 || *secs > TIMER_MAX_SECS {
                    return reject(
                        ErrorCode::Invalid,
                        format!("extend by 1 to {TIMER_MAX_SECS} seconds"),
                    );
                }
                self.check_timer_set()?;
                let add = i64::from(*secs) * 1000;
                let max = i64::from(TIMER_MAX_SECS) * 1000;
                let timer = match self.timer {
                    Timer::Running {
                        ends_at,
                        duration_ms,
                    } => Timer::Running {
                        ends_at: ends_at.max(now) + add,
                        duration_ms: duration_ms + add,
                    },
                    Timer::Paused {
                        remaining_ms,
                        duration_ms,
                    } => Timer::Paused {
                        remaining_ms: remaining_ms + add,
                        duration_ms: duration_ms + add,
                    },
                    Timer::Ended { duration_ms, .. } => Timer::Running {
                        ends_at: now + add,
                        duration_ms: duration_ms + add,
                    },
                    // Ruled out by `check_timer_set` above.
                    Timer::Idle => return Ok(vec![]),
                };
                if timer.remaining_ms(now) > max {
                    return reject(
                        ErrorCode::Invalid,
                        format!("a timer runs at most {TIMER_MAX_SECS} seconds"),
                    );
                }
                Ok(vec![Event::TimerChanged {
                    timer,
                    cause: TimerCause::Extended,
                }])
            }
            Command::StopTimer => {
                self.may_facilitate(me)?;
                if self.timer == Timer::Idle {
                    return Ok(vec![]);
                }
                Ok(vec![Event::TimerChanged {
                    timer: Timer::Idle,
                    cause: TimerCause::Stopped,
                }])
            }

            Command::CreateTable { name, kind } => {
                self.may_facilitate(me)?;
                let name = clean_line(name, "table name", TABLE_NAME_MAX)?;
                if self.tables.len() >= TABLES_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        format!("a café has at most {TABLES_PER_CAFE_MAX} tables"),
                    );
                }
                let table_id = TableId(ids.next());
                let board_id = BoardId(ids.next());
                Ok(vec![Event::TableCreated {
                    table: Table {
                        id: table_id,
                        name,
                        kind: *kind,
                        board: board_id,
                        host: None,
                        headcount: 0,
                    },
                    board: Board {
                        id: board_id,
                        table: Some(table_id),
                        locked: false,
                        columns: Vec::new(),
                    },
                }])
            }
            Command::RenameTable { table, name } => {
                self.may_rename_table(me, *table)?;
                let name = clean_line(name, "table name", TABLE_NAME_MAX)?;
                Ok(vec![Event::TableRenamed {
                    table: *table,
                    name,
                }])
            }
            Command::SetTableHost { table, person } => {
                self.may_set_table_host(me, *table, *person)?;
                let t = self.table(*table)?;
                let Some(person) = person else {
                    if t.host.is_none() {
                        return Ok(vec![]);
                    }
                    return Ok(vec![Event::TableHostSet {
                        table: *table,
                        host: None,
                    }]);
                };
                let p = self.active_person(*person)?;
                if t.host == Some(*person) {
                    return Ok(vec![]);
                }
                let mut events = Vec::new();
                for other in self.tables.values().filter(|o| o.host == Some(*person)) {
                    events.push(Event::TableHostSet {
                        table: other.id,
                        host: None,
                    });
                }
                if p.role != Role::Host {
                    events.push(Event::RoleChanged {
                        person: *person,
                        role: Role::Host,
                    });
                }
                events.push(Event::TableHostSet {
                    table: *table,
                    host: Some(*person),
                });
                Ok(events)
            }
            Command::SetTableHeadcount { table, headcount } => {
                self.may_set_headcount(me, *table)?;
                let t = self.table(*table)?;
                if *headcount > TABLE_HEADCOUNT_MAX {
                    return reject(
                        ErrorCode::Invalid,
                        format!("a table seats at most {TABLE_HEADCOUNT_MAX} people"),
                    );
                }
                // A paper tally is bounded by headcount × budget and headcount × cap when
                // entered; shrinking the table afterwards must not make it exceed them.
                for v in self.votes.values().filter(|v| v.status == VoteStatus::Open) {
                    if let Some(t) = v.tallies.get(table) {
                        let sum: u64 = t.values().map(|n| u64::from(*n)).sum();
                        let top = t.values().copied().max().unwrap_or(0);
                        let hc = u64::from(*headcount);
                        if sum > hc * u64::from(v.budget)
                            || u64::from(top) > hc * u64::from(v.per_item_cap)
                        {
                            return reject(
                                ErrorCode::Conflict,
                                "this table's tally in an open vote needs more people; \
                                 correct the tally first",
                            );
                        }
                    }
                }
                if t.headcount == *headcount {
                    return Ok(vec![]);
                }
                Ok(vec![Event::TableHeadcountSet {
                    table: *table,
                    headcount: *headcount,
                }])
            }
            Command::StartRound {
                prompt,
                duration_secs,
                assignment,
            } => {
                self.may_start_round(me)?;
                let prompt = clean_text(prompt, "prompt", 0, ROUND_PROMPT_MAX)?;
                if *duration_secs != 0 {
                    validate_duration(*duration_secs)?;
                }
                let assignments = match assignment {
                    Assignment::Shuffle => shuffle::shuffle(self, ctx.seed),
                    Assignment::Keep => self.keep_seats(),
                    Assignment::Manual { seats } => {
                        let mut map = self.keep_seats();
                        let mut seen = BTreeSet::new();
                        for s in seats {
                            if !seen.insert(s.person) {
                                return reject(
                                    ErrorCode::Invalid,
                                    format!("person {} is seated twice", s.person),
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
                                    format!(
                                        "person {} hosts a table; free the table first",
                                        s.person
                                    ),
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
                        duration_secs: *duration_secs,
                        started_at: now,
                        assignments,
                    },
                }];
                if *duration_secs > 0 {
                    let d = i64::from(*duration_secs) * 1000;
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
            Command::AssignTable { person, table } => {
                self.may_assign_table(me, *person, *table)?;
                Ok(vec![Event::TableAssigned {
                    person: *person,
                    table: *table,
                }])
            }

            Command::PostIdea {
                board,
                text,
                category,
            } => {
                self.may_post(me, *board)?;
                let b = self.board(*board)?;
                let host_here = self.is_host_of_board(me, b);
                let text = clean_text(text, "idea", 1, IDEA_TEXT_MAX)?;
                let category = self.check_category(b, category.as_deref())?;
                if self.ideas.len() >= IDEAS_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        format!("a café holds at most {IDEAS_PER_CAFE_MAX} ideas"),
                    );
                }
                let hidden = self.settings().moderation && !fac;
                Ok(vec![Event::IdeaPosted {
                    idea: Idea {
                        id: IdeaId(ids.next()),
                        board: *board,
                        text,
                        category,
                        author: Some(me),
                        table: b.table,
                        round: self.current_round().map(|r| r.number),
                        origin: actor.location,
                        scribed: host_here,
                        hidden,
                        cluster: None,
                        created_at: now,
                        edited_at: None,
                        harvested_from: None,
                    },
                }])
            }
            Command::EditIdea {
                idea,
                text,
                category,
            } => {
                self.may_edit_idea(me, *idea)?;
                let i = self.idea(*idea)?;
                let b = self.board(i.board)?;
                let text = clean_text(text, "idea", 1, IDEA_TEXT_MAX)?;
                let category = self.check_category(b, category.as_deref())?;
                if text == i.text && category == i.category {
                    return Ok(vec![]);
                }
                Ok(vec![Event::IdeaEdited {
                    idea: *idea,
                    text,
                    category,
                    at: now,
                }])
            }
            Command::DeleteIdea { idea } => {
                self.may_delete_idea(me, *idea)?;
                Ok(vec![Event::IdeaDeleted { idea: *idea }])
            }
            Command::HideIdea { idea, hidden } => {
                self.may_hide_idea(me, *idea)?;
                let i = self.idea(*idea)?;
                if i.hidden == *hidden {
                    return Ok(vec![]);
                }
                Ok(vec![Event::IdeaHidden {
                    idea: *idea,
                    hidden: *hidden,
                }])
            }
            Command::HarvestIdea { idea } => {
                self.may_harvest(me, *idea)?;
                let i = self.idea(*idea)?;
                let Some(plenary) = self.plenary else {
                    return reject(ErrorCode::NotFound, "no plenary board");
                };
                let pb = self.board(plenary)?;
                let category = i
                    .category
                    .clone()
                    .filter(|c| pb.columns.is_empty() || pb.columns.contains(c));
                Ok(vec![Event::IdeaPosted {
                    idea: Idea {
                        id: IdeaId(ids.next()),
                        board: plenary,
                        category,
                        cluster: None,
                        created_at: now,
                        edited_at: None,
                        harvested_from: Some(*idea),
                        hidden: false,
                        ..i.clone()
                    },
                }])
            }
            Command::LockBoard { board, locked } => {
                self.may_manage_board(me, *board)?;
                let b = self.board(*board)?;
                if b.locked == *locked {
                    return Ok(vec![]);
                }
                Ok(vec![Event::BoardLocked {
                    board: *board,
                    locked: *locked,
                }])
            }
            Command::SetBoardColumns { board, columns } => {
                self.may_manage_board(me, *board)?;
                if columns.len() > BOARD_COLUMNS_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        format!("a board has at most {BOARD_COLUMNS_MAX} columns"),
                    );
                }
                let mut clean = Vec::with_capacity(columns.len());
                for c in columns {
                    let c = clean_line(c, "column", CATEGORY_MAX)?;
                    if clean.contains(&c) {
                        return reject(ErrorCode::Invalid, format!("column '{c}' appears twice"));
                    }
                    clean.push(c);
                }
                Ok(vec![Event::BoardColumnsSet {
                    board: *board,
                    columns: clean,
                }])
            }

            Command::CreateCluster {
                board,
                title,
                ideas,
            } => {
                self.may_group(me, *board)?;
                let title = clean_line(title, "cluster title", CLUSTER_TITLE_MAX)?;
                if self.clusters.len() >= CLUSTERS_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        format!("a café has at most {CLUSTERS_PER_CAFE_MAX} clusters"),
                    );
                }
                let mut seen = BTreeSet::new();
                for i in ideas {
                    let idea = self.visible_idea(*i, me, fac)?;
                    if idea.board != *board {
                        return reject(
                            ErrorCode::Invalid,
                            "an idea can only join a cluster on its own board",
                        );
                    }
                    if !seen.insert(*i) {
                        return reject(ErrorCode::Invalid, format!("idea {i} is listed twice"));
                    }
                    // Joining the new cluster takes the idea out of its old one, exactly
                    // like `move_idea`, so both must be off open ballots.
                    self.check_idea_not_in_open_vote(idea)?;
                }
                let id = ClusterId(ids.next());
                let mut events = vec![Event::ClusterCreated {
                    cluster: Cluster {
                        id,
                        board: *board,
                        title,
                    },
                }];
                events.extend(ideas.iter().map(|i| Event::IdeaMoved {
                    idea: *i,
                    cluster: Some(id),
                }));
                Ok(events)
            }
            Command::RenameCluster { cluster, title } => {
                self.may_change_cluster(me, *cluster)?;
                let c = self.cluster(*cluster)?;
                let title = clean_line(title, "cluster title", CLUSTER_TITLE_MAX)?;
                if title == c.title {
                    return Ok(vec![]);
                }
                Ok(vec![Event::ClusterRenamed {
                    cluster: *cluster,
                    title,
                }])
            }
            Command::MoveIdea { idea, cluster } => {
                self.may_move_idea(me, *idea, *cluster)?;
                let i = self.idea(*idea)?;
                if i.cluster == *cluster {
                    return Ok(vec![]);
                }
                Ok(vec![Event::IdeaMoved {
                    idea: *idea,
                    cluster: *cluster,
                }])
            }
            Command::MergeClusters { from, into } => {
                self.may_merge_clusters(me, *from, *into)?;
                Ok(vec![Event::ClustersMerged {
                    from: *from,
                    into: *into,
                }])
            }
            Command::DeleteCluster { cluster } => {
                self.may_change_cluster(me, *cluster)?;
                Ok(vec![Event::ClusterDeleted { cluster: *cluster }])
            }

            Command::OpenVote {
                board,
                target,
                budget,
                per_item_cap,
                visibility,
            } => {
                self.may_open_vote(me, *board)?;
                validate_vote_numbers(*budget, *per_item_cap)?;
                if self.open_vote_on(*board).is_some() {
                    return reject(ErrorCode::Conflict, "a vote is already open on this board");
                }
                if self.votes.len() >= VOTES_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        format!("a café has at most {VOTES_PER_CAFE_MAX} votes"),
                    );
                }
                let items: Vec<ItemId> = match target {
                    VoteTarget::Ideas => self
                        .ideas
                        .values()
                        .filter(|i| i.board == *board && !i.hidden)
                        .map(|i| i.id.0)
                        .collect(),
                    VoteTarget::Clusters => self
                        .clusters
                        .values()
                        .filter(|c| c.board == *board)
                        .map(|c| c.id.0)
                        .collect(),
                };
                if items.is_empty() {
                    return reject(
                        ErrorCode::Conflict,
                        "there is nothing on this board to vote on",
                    );
                }
                Ok(vec![Event::VoteOpened {
                    vote: Vote {
                        id: VoteId(ids.next()),
                        board: *board,
                        target: *target,
                        budget: *budget,
                        per_item_cap: *per_item_cap,
                        visibility: *visibility,
                        status: VoteStatus::Open,
                        revealed: false,
                        items,
                        opened_at: now,
                        dots_cast: 0,
                        totals: BTreeMap::new(),
                        ballots: BTreeMap::new(),
                        tallies: BTreeMap::new(),
                    },
                }])
            }
            Command::CastDot { vote, item } => {
                self.may_cast_dot(me, *vote, *item)?;
                Ok(vec![Event::DotCast {
                    vote: *vote,
                    person: me,
                    item: *item,
                }])
            }
            Command::RetractDot { vote, item } => {
                self.may_retract_dot(me, *vote, *item)?;
                Ok(vec![Event::DotRetracted {
                    vote: *vote,
                    person: me,
                    item: *item,
                }])
            }
            Command::EnterTally {
                vote,
                table,
                counts,
            } => {
                self.may_enter_tally(me, *vote, *table)?;
                let t = self.table(*table)?;
                let v = self.open_vote(*vote)?;
                let counts = check_tally(v, t, counts)?;
                if v.tallies.get(table).cloned().unwrap_or_default() == counts {
                    return Ok(vec![]);
                }
                Ok(vec![Event::TallyEntered {
                    vote: *vote,
                    table: *table,
                    counts,
                }])
            }
            Command::CloseVote { vote } => {
                self.may_manage_vote(me, *vote)?;
                let v = self.vote(*vote)?;
                if v.status == VoteStatus::Closed {
                    return Ok(vec![]);
                }
                Ok(vec![Event::VoteClosed { vote: *vote }])
            }
            Command::RevealVote { vote } => {
                self.may_manage_vote(me, *vote)?;
                let v = self.vote(*vote)?;
                if v.revealed {
                    return Ok(vec![]);
                }
                let mut events = Vec::new();
                if v.status == VoteStatus::Open {
                    events.push(Event::VoteClosed { vote: *vote });
                }
                events.push(Event::VoteRevealed {
                    vote: *vote,
                    totals: v.totals.clone(),
                    tallies: v.tallies.clone(),
                });
                Ok(events)
            }
        }
    }

    /// Decides a command the server issues on its own behalf.
    pub fn decide_system(&self, now: Millis, cmd: &SystemCommand) -> Decision {
        let mut ids = Ids(self.next_id);
        match cmd {
            SystemCommand::CreateCafe {
                id,
                code,
                title,
                description,
                mode,
                language,
                settings,
                organiser_name,
            } => {
                if self.info.is_some() {
                    return reject(ErrorCode::Conflict, "this café exists already");
                }
                let title = clean_line(title, "title", CAFE_TITLE_MAX)?;
                let description = clean_text(description, "description", 0, CAFE_DESCRIPTION_MAX)?;
                let name = clean_line(organiser_name, "name", DISPLAY_NAME_MAX)?;
                validate_vote_numbers(settings.default_budget, settings.default_per_item_cap)?;
                let plenary = BoardId(ids.next());
                let organiser = PersonId(ids.next());
                Ok(vec![
                    Event::CafeCreated {
                        info: CafeInfo {
                            id: id.clone(),
                            code: code.clone(),
                            title,
                            description,
                            mode: *mode,
                            language: *language,
                            settings: settings.clone(),
                            created_at: now,
                        },
                        plenary: Board {
                            id: plenary,
                            table: None,
                            locked: false,
                            columns: Vec::new(),
                        },
                    },
                    Event::PersonJoined {
                        person: new_person(
                            organiser,
                            name,
                            Role::Organiser,
                            Default::default(),
                            now,
                        ),
                    },
                ])
            }
            SystemCommand::Join {
                name,
                role,
                location,
            } => {
                if self.info.is_none() {
                    return reject(ErrorCode::NotFound, "no such café");
                }
                if self.phase == Phase::Closed {
                    return reject(ErrorCode::NotAllowedInPhase, "this café is closed");
                }
                if *role == Role::Organiser {
                    return reject(ErrorCode::Forbidden, "a café has one organiser");
                }
                let name = clean_line(name, "name", DISPLAY_NAME_MAX)?;
                if self.people.len() >= PEOPLE_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        format!("this café is full ({PEOPLE_PER_CAFE_MAX} people)"),
                    );
                }
                let id = PersonId(ids.next());
                Ok(vec![Event::PersonJoined {
                    person: new_person(id, name, *role, *location, now),
                }])
            }
            SystemCommand::SetPresence { person, online } => {
                let Some(p) = self.people.get(person) else {
                    return reject(ErrorCode::NotFound, "unknown person");
                };
                if p.online == *online || (p.removed && *online) {
                    return Ok(vec![]);
                }
                Ok(vec![Event::PresenceChanged {
                    person: *person,
                    online: *online,
                }])
            }
            SystemCommand::ExpireTimer { ends_at } => match self.timer {
                Timer::Running {
                    ends_at: e,
                    duration_ms,
                } if e == *ends_at && now >= e => Ok(vec![Event::TimerChanged {
                    timer: Timer::Ended {
                        ended_at: e,
                        duration_ms,
                    },
                    cause: TimerCause::Ended,
                }]),
                _ => Ok(vec![]),
            },
        }
    }

    // ----- lookups that reject with the right code -----

    pub(crate) fn active_person(&self, id: PersonId) -> Result<&Person, Rejection> {
        match self.people.get(&id) {
            Some(p) if !p.removed => Ok(p),
            _ => reject(ErrorCode::NotFound, format!("no person {id}")),
        }
    }

    pub(crate) fn table(&self, id: TableId) -> Result<&Table, Rejection> {
        self.tables
            .get(&id)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, format!("no table {id}")))
    }

    pub(crate) fn board(&self, id: BoardId) -> Result<&Board, Rejection> {
        self.boards
            .get(&id)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, format!("no board {id}")))
    }

    pub(crate) fn idea(&self, id: IdeaId) -> Result<&Idea, Rejection> {
        self.ideas
            .get(&id)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, format!("no idea {id}")))
    }

    /// Like `idea`, but a hidden idea of someone else does not exist for a participant: they
    /// must not be able to probe for it.
    pub(crate) fn visible_idea(
        &self,
        id: IdeaId,
        me: PersonId,
        fac: bool,
    ) -> Result<&Idea, Rejection> {
        let i = self.idea(id)?;
        if i.hidden && !fac && i.author != Some(me) {
            return reject(ErrorCode::NotFound, format!("no idea {id}"));
        }
        Ok(i)
    }

    pub(crate) fn cluster(&self, id: ClusterId) -> Result<&Cluster, Rejection> {
        self.clusters
            .get(&id)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, format!("no cluster {id}")))
    }

    pub(crate) fn vote(&self, id: VoteId) -> Result<&Vote, Rejection> {
        self.votes
            .get(&id)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, format!("no vote {id}")))
    }

    pub(crate) fn open_vote(&self, id: VoteId) -> Result<&Vote, Rejection> {
        let v = self.vote(id)?;
        if v.status != VoteStatus::Open {
            return reject(ErrorCode::Conflict, "this vote is closed");
        }
        if self.phase != Phase::Vote {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "dots are cast during the vote phase",
            );
        }
        Ok(v)
    }

    pub(crate) fn is_host_of_board(&self, me: PersonId, b: &Board) -> bool {
        b.table
            .and_then(|t| self.tables.get(&t))
            .is_some_and(|t| t.host == Some(me))
    }

    /// Non-facilitators write on the plenary board or on the board of the table they sit at.
    pub(crate) fn check_board_write(
        &self,
        me: PersonId,
        fac: bool,
        b: &Board,
    ) -> Result<(), Rejection> {
        if fac {
            return Ok(());
        }
        if b.locked {
            return reject(
                ErrorCode::BoardLocked,
                "the facilitator has locked this board",
            );
        }
        match b.table {
            None => Ok(()),
            Some(t) if self.table_of(me) == Some(t) => Ok(()),
            Some(_) => reject(ErrorCode::Forbidden, "you are not seated at this table"),
        }
    }

    pub(crate) fn check_grouping(
        &self,
        me: PersonId,
        fac: bool,
        b: &Board,
    ) -> Result<(), Rejection> {
        let host_here = self.is_host_of_board(me, b);
        let phase_ok = match self.phase {
            Phase::Group => true,
            Phase::Ideate => fac || host_here,
            _ => false,
        };
        if !phase_ok {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "ideas are grouped during the group phase",
            );
        }
        self.check_board_write(me, fac, b)
    }

    pub(crate) fn check_category(
        &self,
        b: &Board,
        category: Option<&str>,
    ) -> Result<Option<String>, Rejection> {
        let category = match category {
            None => None,
            Some(c) if c.trim().is_empty() => None,
            Some(c) => Some(clean_line(c, "category", CATEGORY_MAX)?),
        };
        if !b.columns.is_empty() {
            match &category {
                Some(c) if b.columns.contains(c) => {}
                _ => {
                    return reject(
                        ErrorCode::Invalid,
                        format!(
                            "choose one of this board's columns: {}",
                            b.columns.join(", ")
                        ),
                    )
                }
            }
        }
        Ok(category)
    }

    /// Ballots stay meaningful only if their items do not change under the voters.
    pub(crate) fn check_not_in_open_vote(&self, item: ItemId) -> Result<(), Rejection> {
        if self
            .votes
            .values()
            .any(|v| v.status == VoteStatus::Open && v.items.contains(&item))
        {
            return reject(
                ErrorCode::Conflict,
                "this is on the ballot of an open vote; close the vote first",
            );
        }
        Ok(())
    }

    /// An idea is frozen while it, or the cluster it belongs to, is on an open ballot: a
    /// cluster's ideas are what its voters vote for.
    pub(crate) fn check_idea_not_in_open_vote(&self, idea: &Idea) -> Result<(), Rejection> {
        self.check_not_in_open_vote(idea.id.0)?;
        if let Some(c) = idea.cluster {
            self.check_not_in_open_vote(c.0)?;
        }
        Ok(())
    }

    pub(crate) fn check_seat(&self, person: PersonId, table: TableId) -> Result<(), Rejection> {
        let p = self.active_person(person)?;
        let t = self.table(table)?;
        if !t.kind.fits(p.location) {
            return reject(
                ErrorCode::Invalid,
                format!(
                    "{} is {} and cannot sit at {}",
                    p.name,
                    match p.location {
                        crate::model::Location::Room => "in the room",
                        crate::model::Location::Remote => "remote",
                    },
                    t.name
                ),
            );
        }
        Ok(())
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

fn new_person(
    id: PersonId,
    name: String,
    role: Role,
    location: crate::model::Location,
    now: Millis,
) -> Person {
    Person {
        id,
        name,
        role,
        location,
        online: false,
        ready: false,
        hand_raised_at: None,
        removed: false,
        joined_at: now,
        visited: BTreeSet::new(),
    }
}

pub(crate) fn require_facilitator(fac: bool) -> Result<(), Rejection> {
    if fac {
        Ok(())
    } else {
        reject(ErrorCode::Forbidden, "only a facilitator can do this")
    }
}

pub(crate) fn validate_duration(secs: u32) -> Result<(), Rejection> {
    if !(TIMER_MIN_SECS..=TIMER_MAX_SECS).contains(&secs) {
        return reject(
            ErrorCode::Invalid,
            format!("a duration is {TIMER_MIN_SECS} to {TIMER_MAX_SECS} seconds"),
        );
    }
    Ok(())
}

pub(crate) fn validate_vote_numbers(budget: u32, cap: u32) -> Result<(), Rejection> {
    if !(VOTE_BUDGET_MIN..=VOTE_BUDGET_MAX).contains(&budget) {
        return reject(
            ErrorCode::Invalid,
            format!("a dot budget is {VOTE_BUDGET_MIN} to {VOTE_BUDGET_MAX}"),
        );
    }
    if cap == 0 || cap > budget {
        return reject(
            ErrorCode::Invalid,
            "the per-item cap is at least 1 and at most the budget",
        );
    }
    Ok(())
}

pub(crate) fn check_tally(
    v: &Vote,
    t: &Table,
    counts: &[ItemCount],
) -> Result<BTreeMap<ItemId, u32>, Rejection> {
    if t.headcount == 0 {
        return reject(
            ErrorCode::Conflict,
            "set how many people sit at this table before entering its tally",
        );
    }
    let mut map = BTreeMap::new();
    let mut sum: u64 = 0;
    for c in counts {
        if !v.items.contains(&c.item) {
            return reject(
                ErrorCode::NotFound,
                format!("item {} is not on this ballot", c.item),
            );
        }
        if map.insert(c.item, c.dots).is_some() {
            return reject(
                ErrorCode::Invalid,
                format!("item {} is listed twice", c.item),
            );
        }
        if u64::from(c.dots) > u64::from(t.headcount) * u64::from(v.per_item_cap) {
            return reject(
                ErrorCode::OverCap,
                format!(
                    "{} people can give one item at most {} dots",
                    t.headcount,
                    t.headcount * v.per_item_cap
                ),
            );
        }
        sum += u64::from(c.dots);
    }
    if sum > u64::from(t.headcount) * u64::from(v.budget) {
        return reject(
            ErrorCode::OverBudget,
            format!(
                "{} people have {} dots in all",
                t.headcount,
                t.headcount * v.budget
            ),
        );
    }
    map.retain(|_, n| *n > 0);
    Ok(map)
}
