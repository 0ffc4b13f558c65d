//! Deciding the harvest: copying table notes to the plenary board, one, several, or a
//! whole theme. Every copy is its own `idea_posted` (with `harvested_from` and its
//! `provenance`), so replay, import and renumbering treat a batch like single harvests.

use super::{Act, Decision, Ids};
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use std::collections::BTreeSet;

impl CafeState {
    /// The plenary copy of a table note, as `harvest_idea` would write it with id `id`.
    fn harvested_copy(&self, a: &Act, idea: IdeaId, id: IdeaId) -> Result<Idea, Rejection> {
        let i = self.idea(idea)?;
        let Some(plenary) = self.plenary else {
            return reject(ErrorCode::NotFound, "no plenary board");
        };
        let pb = self.board(plenary)?;
        let category = i
            .category
            .clone()
            .filter(|c| pb.columns.is_empty() || pb.columns.contains(c));
        Ok(Idea {
            id,
            board: plenary,
            category,
            cluster: None,
            created_at: a.now,
            edited_at: None,
            harvested_from: Some(idea),
            hidden: false,
            rejected: false,
            private: false,
            provenance: self.provenance_of(i),
            ..i.clone()
        })
    }

    pub(crate) fn decide_harvest_idea(&self, a: &Act, idea: IdeaId) -> Decision {
        let mut ids = Ids(self.next_id);
        self.may_harvest(a.me, idea)?;
        let copy = self.harvested_copy(a, idea, IdeaId(ids.next()))?;
        Ok(vec![Event::IdeaPosted { idea: copy }])
    }

    /// All or nothing: every listed note must be harvestable by the actor now (a note
    /// harvested already refuses the whole batch with `conflict`, as `harvest_idea` does).
    pub(crate) fn decide_harvest_ideas(&self, a: &Act, ideas: &[IdeaId]) -> Decision {
        let mut ids = Ids(self.next_id);
        if ideas.is_empty() {
            return reject(ErrorCode::Invalid, "choose at least one note to harvest");
        }
        if ideas.len() > HARVEST_BATCH_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("harvest at most {HARVEST_BATCH_MAX} notes at once"),
            );
        }
        if self.ideas.len() + ideas.len() > IDEAS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café holds at most {IDEAS_PER_CAFE_MAX} ideas"),
            );
        }
        let mut seen = BTreeSet::new();
        let mut events = Vec::with_capacity(ideas.len());
        for idea in ideas {
            if !seen.insert(*idea) {
                return reject(ErrorCode::Invalid, why!("idea {idea} is listed twice"));
            }
            self.may_harvest(a.me, *idea)?;
            let copy = self.harvested_copy(a, *idea, IdeaId(ids.next()))?;
            events.push(Event::IdeaPosted { idea: copy });
        }
        Ok(events)
    }

    /// The theme lands on the plenary as a theme of the same title (an existing plenary
    /// theme of that title is reused, so harvesting a theme again adds only its new notes).
    /// Notes harvested before join it with their existing copy instead of being copied
    /// twice; hidden notes stay behind. The copies are posted, then moved into the theme,
    /// with the same events `create_cluster` and `move_idea` write.
    pub(crate) fn decide_harvest_cluster(&self, a: &Act, cluster: ClusterId) -> Decision {
        let mut ids = Ids(self.next_id);
        self.may_harvest_cluster(a.me, cluster)?;
        let c = self.cluster(cluster)?;
        let Some(plenary) = self.plenary else {
            return reject(ErrorCode::NotFound, "no plenary board");
        };
        let notes: Vec<&Idea> = self
            .ideas
            .values()
            .map(Box::as_ref)
            .filter(|i| i.cluster == Some(cluster) && i.public())
            .collect();
        let mut events = Vec::new();
        let target = match self
            .clusters
            .values()
            .find(|p| p.board == plenary && p.title == c.title)
        {
            Some(p) => {
                self.check_not_in_open_vote(p.id.0)?;
                p.id
            }
            None => {
                if self.clusters.len() >= CLUSTERS_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        why!("a café has at most {CLUSTERS_PER_CAFE_MAX} clusters"),
                    );
                }
                let id = ClusterId(ids.next());
                events.push(Event::ClusterCreated {
                    cluster: Cluster {
                        id,
                        board: plenary,
                        title: c.title.clone(),
                    },
                });
                id
            }
        };
        let mut fresh = 0;
        for note in notes {
            match self.harvest_copy_of(note.id) {
                Some(copy) => {
                    if copy.cluster != Some(target) {
                        self.check_idea_not_in_open_vote(copy)?;
                        events.push(Event::IdeaMoved {
                            idea: copy.id,
                            cluster: Some(target),
                        });
                    }
                }
                None => {
                    self.may_harvest(a.me, note.id)?;
                    let copy = self.harvested_copy(a, note.id, IdeaId(ids.next()))?;
                    let id = copy.id;
                    events.push(Event::IdeaPosted { idea: copy });
                    events.push(Event::IdeaMoved {
                        idea: id,
                        cluster: Some(target),
                    });
                    fresh += 1;
                }
            }
        }
        if self.ideas.len() + fresh > IDEAS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café holds at most {IDEAS_PER_CAFE_MAX} ideas"),
            );
        }
        Ok(events)
    }
}
