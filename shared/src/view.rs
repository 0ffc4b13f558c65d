//! Privacy lives here. The server never sends the full state: each audience gets a *view*
//! (snapshot) and a *projection* of each event, so that a browser never receives what it
//! must not show: other people's ballots, hidden ideas of others, authors in an anonymous
//! café, totals of a hidden vote.
//!
//! The law the property tests check: for every audience `a`,
//! `view(apply(s, e), a) == apply(view(s, a), project(e, a))`.

use crate::event::{Ballot, Event, Tally};
use crate::ids::{IdeaId, PersonId};
use crate::model::{CafeState, Idea, Vote};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "person", rename_all = "snake_case")]
pub enum Audience {
    /// The projector, and every participant for events that do not concern them.
    Public,
    /// Facilitators and the organiser, for events that do not concern them personally.
    Facilitator,
    /// One person, for events about their own things (their idea, their ballot).
    Person(PersonId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Viewer {
    person: Option<PersonId>,
    privileged: bool,
}

impl CafeState {
    fn viewer(&self, a: Audience) -> Viewer {
        match a {
            Audience::Public => Viewer {
                person: None,
                privileged: false,
            },
            Audience::Facilitator => Viewer {
                person: None,
                privileged: true,
            },
            Audience::Person(p) => Viewer {
                person: Some(p),
                privileged: self
                    .people
                    .get(&p)
                    .is_some_and(|x| !x.removed && x.role.is_facilitator()),
            },
        }
    }

    /// The audience a person belongs to for events that do not concern them.
    pub fn audience_of(&self, person: PersonId) -> Audience {
        if self.viewer(Audience::Person(person)).privileged {
            Audience::Facilitator
        } else {
            Audience::Public
        }
    }

    fn anonymous(&self) -> bool {
        self.settings().anonymous
    }

    fn can_see_idea(&self, v: Viewer, idea: &Idea) -> bool {
        idea.public() || v.privileged || (v.person.is_some() && idea.author == v.person)
    }

    /// Ideas of `ids` that every participant sees now, as the public sees them. Sent to
    /// all non-facilitators alike (each one's own are already in their view and stay as
    /// they are there), so these events concern nobody personally.
    fn newly_public(&self, ids: &[IdeaId]) -> Vec<Idea> {
        let public = self.viewer(Audience::Public);
        ids.iter()
            .filter_map(|id| self.ideas.get(id))
            .filter(|i| self.can_see_idea(public, i))
            .map(|i| self.present_idea(public, i))
            .collect()
    }

    fn present_idea(&self, v: Viewer, idea: &Idea) -> Idea {
        let mut i = idea.clone();
        if self.anonymous() && (v.person.is_none() || i.author != v.person) {
            i.author = None;
        }
        // A harvest never records a name in an anonymous café; this keeps it so should
        // the setting ever change with ideas present.
        if self.anonymous() {
            if let Some(p) = &mut i.provenance {
                p.author_name = None;
            }
        }
        i
    }

    fn can_see_totals(v: Viewer, vote: &Vote) -> bool {
        v.privileged || vote.results_visible_to_all()
    }

    /// Whether this person's snapshot equals the public one: not a facilitator, no ballot,
    /// no hidden or unrevealed private idea of their own and, in an anonymous café, no idea of their own at all
    /// (their authorship is shown to them alone). The server then shares one encoded
    /// public snapshot among such newcomers. False is always safe.
    pub fn view_is_public(&self, person: PersonId) -> bool {
        if self.viewer(Audience::Person(person)).privileged {
            return false;
        }
        let anonymous = self.anonymous();
        !self
            .ideas
            .values()
            .any(|i| i.author == Some(person) && (!i.public() || anonymous))
            && !self.votes.values().any(|v| v.ballots.contains_key(&person))
    }

    /// The snapshot an audience may hold.
    pub fn view(&self, audience: Audience) -> CafeState {
        let v = self.viewer(audience);
        let mut s = self.clone();
        s.ideas = self
            .ideas
            .values()
            .filter(|i| self.can_see_idea(v, i))
            .map(|i| (i.id, Box::new(self.present_idea(v, i))))
            .collect();
        for vote in s.votes.values_mut() {
            // Counted here too: a snapshot written before the count existed holds none.
            vote.voters = vote.ballots.len() as u32;
            vote.ballots.retain(|p, _| Some(*p) == v.person);
            if !Self::can_see_totals(v, vote) {
                vote.totals.clear();
                vote.tallies.clear();
            }
        }
        // The id counter would reveal how many hidden things exist.
        s.next_id = 0;
        // Links are the server's: even their hashes stay there.
        #[cfg(not(target_arch = "wasm32"))]
        s.links.clear();
        s
    }

    /// What the audience learns of `event`, given the state *after* applying it and the
    /// [`Prior`] captured before. `None`: this audience hears nothing of it.
    pub fn project(&self, prior: &Prior, event: &Event, audience: Audience) -> Option<Event> {
        let v = self.viewer(audience);
        match event {
            Event::IdeaPosted { idea } => self.can_see_idea(v, idea).then(|| Event::IdeaPosted {
                idea: self.present_idea(v, idea),
            }),
            Event::IdeaEdited { idea, .. } | Event::IdeaMoved { idea, .. } => self
                .ideas
                .get(idea)
                .filter(|i| self.can_see_idea(v, i))
                .map(|_| event.clone()),
            Event::IdeaDeleted { .. } => prior
                .idea
                .as_ref()
                .filter(|i| self.can_see_idea(v, i))
                .map(|_| event.clone()),
            Event::IdeasApproved { ideas, .. } => Some(Event::IdeasApproved {
                ideas: ideas.clone(),
                revealed: if v.privileged {
                    Vec::new()
                } else {
                    self.newly_public(ideas)
                },
            }),
            Event::PrivateWritingSet {
                boards, private, ..
            } => Some(Event::PrivateWritingSet {
                boards: boards.clone(),
                private: *private,
                revealed: if v.privileged {
                    Vec::new()
                } else {
                    self.newly_public(&prior.revealing)
                },
            }),
            Event::IdeaRejected { idea } => {
                let now = self.ideas.get(idea)?;
                let was = prior.idea.as_ref()?;
                match (self.can_see_idea(v, was), self.can_see_idea(v, now)) {
                    (true, true) => Some(event.clone()),
                    (true, false) => Some(Event::IdeaDeleted { idea: *idea }),
                    (false, _) => None,
                }
            }
            Event::IdeaHidden { idea, hidden } => {
                let now = self.ideas.get(idea)?;
                let was = prior.idea.as_ref()?;
                let saw_before = self.can_see_idea(v, was);
                let sees_now = self.can_see_idea(v, now);
                match (saw_before, sees_now) {
                    (true, true) => Some(Event::IdeaHidden {
                        idea: *idea,
                        hidden: *hidden,
                    }),
                    (true, false) => Some(Event::IdeaDeleted { idea: *idea }),
                    (false, true) => Some(Event::IdeaPosted {
                        idea: self.present_idea(v, now),
                    }),
                    (false, false) => None,
                }
            }
            Event::DotCast { vote, person, .. } | Event::DotRetracted { vote, person, .. } => {
                let vt = self.votes.get(vote)?;
                let item = match event {
                    Event::DotCast { item, .. } | Event::DotRetracted { item, .. } => *item,
                    _ => return None,
                };
                let totals = if Self::can_see_totals(v, vt) {
                    BTreeMap::from([(item, vt.totals.get(&item).copied().unwrap_or(0))])
                } else {
                    BTreeMap::new()
                };
                let ballot = (v.person == Some(*person)).then(|| Ballot {
                    person: *person,
                    dots: vt.ballots.get(person).cloned().unwrap_or_default(),
                });
                Some(Event::VoteProgress {
                    vote: *vote,
                    dots_cast: vt.dots_cast,
                    voters: vt.voters,
                    totals,
                    ballot,
                    tally: None,
                })
            }
            Event::TallyEntered { vote, table, .. } => {
                let vt = self.votes.get(vote)?;
                let (totals, tally) = if Self::can_see_totals(v, vt) {
                    // Items whose total may have changed: those in the old or new tally.
                    let mut items: Vec<_> = prior.tally_items.clone();
                    items.extend(vt.tallies.get(table).into_iter().flat_map(|t| t.keys()));
                    let totals = items
                        .into_iter()
                        .map(|i| (i, vt.totals.get(&i).copied().unwrap_or(0)))
                        .collect();
                    let tally = Tally {
                        table: *table,
                        counts: vt.tallies.get(table).cloned().unwrap_or_default(),
                    };
                    (totals, Some(tally))
                } else {
                    (BTreeMap::new(), None)
                };
                Some(Event::VoteProgress {
                    vote: *vote,
                    dots_cast: vt.dots_cast,
                    voters: vt.voters,
                    totals,
                    ballot: None,
                    tally,
                })
            }
            Event::LinkIssued { .. } | Event::LinkRotated { .. } | Event::LinkRevoked { .. } => {
                None
            }
            _ => Some(event.clone()),
        }
    }

    /// The person whose open sessions `event` ends (after it was applied): someone removed
    /// (also by revoking their link), or the holder of a link that got a new secret, whose
    /// sessions from the old one must not outlive it. They are closed with 4001.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn ends_sessions(&self, event: &Event) -> Option<PersonId> {
        match event {
            Event::PersonRemoved { person } => Some(*person),
            Event::LinkRotated { link, .. } => self.link(*link).map(|l| l.person),
            _ => None,
        }
    }

    /// What projection needs to know from before the event changed the state.
    pub fn prior(&self, event: &Event) -> Prior {
        let idea = match event {
            Event::IdeaDeleted { idea }
            | Event::IdeaHidden { idea, .. }
            | Event::IdeaRejected { idea } => self.ideas.get(idea).map(|b| (**b).clone()),
            _ => None,
        };
        // What a reveal shows for the first time: the boards' private ideas.
        let revealing = match event {
            Event::PrivateWritingSet {
                boards,
                private: false,
                ..
            } => self
                .ideas
                .values()
                .filter(|i| i.private && boards.contains(&i.board))
                .map(|i| i.id)
                .collect(),
            _ => Vec::new(),
        };
        let tally_items = match event {
            Event::TallyEntered { vote, table, .. } => self
                .votes
                .get(vote)
                .and_then(|v| v.tallies.get(table))
                .map(|t| t.keys().copied().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let privileged_before = match event {
            Event::RoleChanged { person, .. } => {
                Some(self.viewer(Audience::Person(*person)).privileged)
            }
            _ => None,
        };
        Prior {
            idea,
            revealing,
            tally_items,
            privileged_before,
        }
    }

    /// The one person (if any) whose projection of this event differs from that of the
    /// audience they belong to. Everyone else gets the shared bytes of their audience.
    pub fn concerned(&self, prior: &Prior, event: &Event) -> Option<PersonId> {
        match event {
            Event::IdeaPosted { idea } => idea.author,
            Event::IdeaEdited { idea, .. } | Event::IdeaMoved { idea, .. } => {
                self.ideas.get(idea).and_then(|i| i.author)
            }
            Event::IdeaDeleted { .. } | Event::IdeaHidden { .. } | Event::IdeaRejected { .. } => {
                prior.idea.as_ref().and_then(|i| i.author)
            }
            Event::DotCast { person, .. } | Event::DotRetracted { person, .. } => Some(*person),
            _ => None,
        }
    }

    /// A person whose whole view changed shape with this event (promoted to or demoted from
    /// facilitator): they need a fresh snapshot rather than a projected event.
    pub fn needs_snapshot(&self, prior: &Prior, event: &Event) -> Option<PersonId> {
        match event {
            Event::RoleChanged { person, .. } => {
                let now = self.viewer(Audience::Person(*person)).privileged;
                (prior.privileged_before != Some(now)).then_some(*person)
            }
            _ => None,
        }
    }

    /// Ideas of a board that this audience can see, in posting order.
    pub fn visible_ideas(&self, audience: Audience) -> Vec<IdeaId> {
        let v = self.viewer(audience);
        self.ideas
            .values()
            .filter(|i| self.can_see_idea(v, i))
            .map(|i| i.id)
            .collect()
    }
}

/// Facts from before an event, captured by [`CafeState::prior`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prior {
    idea: Option<Idea>,
    revealing: Vec<IdeaId>,
    tally_items: Vec<u64>,
    privileged_before: Option<bool>,
}
