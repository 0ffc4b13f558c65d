//! Deciding clusters: grouping ideas on a board.

use super::{Act, Decision, Ids};
use crate::error::{reject, ErrorCode};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use crate::text::clean_line;
use std::collections::BTreeSet;

impl CafeState {
    pub(crate) fn decide_create_cluster(
        &self,
        a: &Act,
        board: BoardId,
        title: &str,
        ideas: &[IdeaId],
    ) -> Decision {
        let mut ids = Ids(self.next_id);
        self.may_create_cluster(a.me, board)?;
        let title = clean_line(title, "cluster title", CLUSTER_TITLE_MAX)?;
        if self.clusters.len() >= CLUSTERS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café has at most {CLUSTERS_PER_CAFE_MAX} clusters"),
            );
        }
        let mut seen = BTreeSet::new();
        for i in ideas {
            let idea = self.visible_idea(*i, a.me, a.fac)?;
            if idea.board != board {
                return reject(
                    ErrorCode::Invalid,
                    "an idea can only join a cluster on its own board",
                );
            }
            if !seen.insert(*i) {
                return reject(ErrorCode::Invalid, why!("idea {i} is listed twice"));
            }
            // Joining the new cluster takes the idea out of its old one, exactly
            // like `move_idea`, so both must be off open ballots.
            self.check_idea_not_in_open_vote(idea)?;
        }
        let id = ClusterId(ids.next());
        let mut events = vec![Event::ClusterCreated {
            cluster: Cluster { id, board, title },
        }];
        events.extend(ideas.iter().map(|i| Event::IdeaMoved {
            idea: *i,
            cluster: Some(id),
        }));
        Ok(events)
    }

    pub(crate) fn decide_rename_cluster(
        &self,
        a: &Act,
        cluster: ClusterId,
        title: &str,
    ) -> Decision {
        self.may_change_cluster(a.me, cluster)?;
        let c = self.cluster(cluster)?;
        let title = clean_line(title, "cluster title", CLUSTER_TITLE_MAX)?;
        if title == c.title {
            return Ok(vec![]);
        }
        Ok(vec![Event::ClusterRenamed { cluster, title }])
    }

    pub(crate) fn decide_move_idea(
        &self,
        a: &Act,
        idea: IdeaId,
        cluster: Option<ClusterId>,
    ) -> Decision {
        self.may_move_idea(a.me, idea, cluster)?;
        let i = self.idea(idea)?;
        if i.cluster == cluster {
            return Ok(vec![]);
        }
        Ok(vec![Event::IdeaMoved { idea, cluster }])
    }

    pub(crate) fn decide_merge_clusters(
        &self,
        a: &Act,
        from: ClusterId,
        into: ClusterId,
    ) -> Decision {
        self.may_merge_clusters(a.me, from, into)?;
        Ok(vec![Event::ClustersMerged { from, into }])
    }

    pub(crate) fn decide_delete_cluster(&self, a: &Act, cluster: ClusterId) -> Decision {
        self.may_change_cluster(a.me, cluster)?;
        Ok(vec![Event::ClusterDeleted { cluster }])
    }
}
