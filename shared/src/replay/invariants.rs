//! What holds of every state the rules reach. Checked on an imported café after its replay,
//! and by the property tests after every decision.

use crate::ids::ItemId;
use crate::limits::*;
use crate::model::{CafeState, Role, Vote, VoteStatus};
use crate::text::{clean_line, clean_text};
use std::collections::{BTreeMap, BTreeSet};

impl CafeState {
    /// What holds of every state the rules reach: references resolve, ids are unique and
    /// below the counter, texts are clean, limits are kept, hosts and hands are consistent,
    /// and every vote's totals are exactly its ballots plus its paper tallies.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_cafe()?;
        self.check_ids()?;
        self.check_people()?;
        self.check_tables()?;
        self.check_ideas()?;
        for v in self.votes.values() {
            self.check_vote(v)?;
        }
        Ok(())
    }

    fn check_cafe(&self) -> Result<(), String> {
        let Some(info) = &self.info else {
            return Err("no café".to_owned());
        };
        check_line(&info.title, "title", CAFE_TITLE_MAX)?;
        check_text(&info.description, "description", 0, CAFE_DESCRIPTION_MAX)?;
        let st = &info.settings;
        if !(VOTE_BUDGET_MIN..=VOTE_BUDGET_MAX).contains(&st.default_budget)
            || st.default_per_item_cap == 0
            || st.default_per_item_cap > st.default_budget
        {
            return Err("default vote settings out of range".to_owned());
        }
        check_limit("people", self.people.len(), PEOPLE_PER_CAFE_MAX)?;
        check_limit("tables", self.tables.len(), TABLES_PER_CAFE_MAX)?;
        check_limit("ideas", self.ideas.len(), IDEAS_PER_CAFE_MAX)?;
        check_limit("clusters", self.clusters.len(), CLUSTERS_PER_CAFE_MAX)?;
        check_limit("rounds", self.rounds.len(), ROUNDS_PER_CAFE_MAX as usize)?;
        check_limit("votes", self.votes.len(), VOTES_PER_CAFE_MAX)?;
        check_limit("actions", self.actions.len(), ACTIONS_PER_CAFE_MAX)?;
        if st.planned_rounds > ROUNDS_PER_CAFE_MAX {
            return Err("planned rounds out of range".to_owned());
        }
        for a in self.actions.values() {
            check_line(&a.text, "action", ACTION_TEXT_MAX)?;
            if !a.owner_name.is_empty() {
                check_line(&a.owner_name, "owner", ACTION_OWNER_MAX)?;
            }
            if a.owner.is_some_and(|p| !self.people.contains_key(&p)) {
                return Err(format!("action {} is owned by nobody known", a.id));
            }
            if a.due
                .as_deref()
                .is_some_and(|d| !crate::text::is_iso_date(d))
            {
                return Err(format!("action {} has a due date that is no date", a.id));
            }
        }
        for r in &self.rounds {
            check_text(&r.prompt, "prompt", 0, ROUND_PROMPT_MAX)?;
        }
        Ok(())
    }

    /// Ids come from one counter: unique across kinds (ballot items rely on it) and all
    /// below `next_id`, so the next entity can never take an existing id.
    fn check_ids(&self) -> Result<(), String> {
        let ids = self
            .people
            .keys()
            .map(|i| i.0)
            .chain(self.tables.keys().map(|i| i.0))
            .chain(self.boards.keys().map(|i| i.0))
            .chain(self.ideas.keys().map(|i| i.0))
            .chain(self.clusters.keys().map(|i| i.0))
            .chain(self.votes.keys().map(|i| i.0))
            .chain(self.actions.keys().map(|i| i.0));
        let mut seen = BTreeSet::new();
        for id in ids {
            if id >= self.next_id {
                return Err(format!("id {id} is not below the counter {}", self.next_id));
            }
            if !seen.insert(id) {
                return Err(format!("id {id} names two things"));
            }
        }
        Ok(())
    }

    fn check_people(&self) -> Result<(), String> {
        let organisers = self
            .active_people()
            .filter(|p| p.role == Role::Organiser)
            .count();
        if organisers != 1 {
            return Err(format!(
                "a café has one organiser, this one has {organisers}"
            ));
        }
        for p in self.people.values() {
            check_line(&p.name, "name", DISPLAY_NAME_MAX)?;
            if p.hand_raised_at.is_some() != self.hands.contains(&p.id) {
                return Err(format!("the hand of {} is not in the queue", p.id));
            }
        }
        let mut seen = BTreeSet::new();
        for h in &self.hands {
            match self.people.get(h) {
                Some(p) if !p.removed && p.hand_raised_at.is_some() => {}
                _ => return Err(format!("hand of {h} in the queue")),
            }
            if !seen.insert(*h) {
                return Err(format!("{h} twice in the queue"));
            }
        }
        Ok(())
    }

    fn check_tables(&self) -> Result<(), String> {
        let Some(plenary) = self.plenary.and_then(|p| self.boards.get(&p)) else {
            return Err("no plenary board".to_owned());
        };
        if plenary.table.is_some() {
            return Err("the plenary board belongs to no table".to_owned());
        }
        for b in self.boards.values() {
            if let Some(t) = b.table {
                if self.tables.get(&t).map(|t| t.board) != Some(b.id) {
                    return Err(format!(
                        "board {} points at table {t}, which is not its",
                        b.id
                    ));
                }
            } else if Some(b.id) != self.plenary {
                return Err(format!("board {} belongs to no table", b.id));
            }
            for c in &b.columns {
                check_line(c, "column", CATEGORY_MAX)?;
            }
        }
        for t in self.tables.values() {
            check_line(&t.name, "table name", TABLE_NAME_MAX)?;
            if self.boards.get(&t.board).and_then(|b| b.table) != Some(t.id) {
                return Err(format!("table {} has no board of its own", t.id));
            }
            if t.headcount > TABLE_HEADCOUNT_MAX {
                return Err(format!("table {} seats too many people", t.id));
            }
            if let Some(h) = t.host {
                let Some(p) = self.people.get(&h).filter(|p| !p.removed) else {
                    return Err(format!("table {} is hosted by an absent person", t.id));
                };
                if p.role != Role::Host {
                    return Err(format!("{h} hosts table {} without the host role", t.id));
                }
                if !t.kind.fits(p.location) {
                    return Err(format!("{h}'s location does not fit table {}", t.id));
                }
                if self.tables.values().filter(|o| o.host == Some(h)).count() != 1 {
                    return Err(format!("{h} hosts more than one table"));
                }
            }
        }
        for r in &self.rounds {
            for (p, t) in &r.assignments {
                if !self.people.contains_key(p) || !self.tables.contains_key(t) {
                    return Err(format!("round {} seats {p} at a missing table", r.number));
                }
            }
        }
        Ok(())
    }

    fn check_ideas(&self) -> Result<(), String> {
        for i in self.ideas.values() {
            check_text(&i.text, "idea", 1, IDEA_TEXT_MAX)?;
            if let Some(c) = &i.category {
                check_line(c, "category", CATEGORY_MAX)?;
            }
            if !self.boards.contains_key(&i.board) {
                return Err(format!("idea {} is on a missing board", i.id));
            }
            if let Some(c) = i.cluster {
                if self.clusters.get(&c).map(|c| c.board) != Some(i.board) {
                    return Err(format!("idea {} is in a cluster of another board", i.id));
                }
            }
            if let Some(a) = i.author {
                if !self.people.contains_key(&a) {
                    return Err(format!("idea {} has an unknown author", i.id));
                }
            }
            if i.rejected && !i.hidden {
                return Err(format!("idea {} is rejected but shown", i.id));
            }
            // A reveal clears the flag on every idea of its boards.
            if i.private && !self.boards.get(&i.board).is_some_and(|b| b.private) {
                return Err(format!(
                    "idea {} is private on a board not in private writing",
                    i.id
                ));
            }
        }
        for c in self.clusters.values() {
            check_line(&c.title, "cluster title", CLUSTER_TITLE_MAX)?;
            if !self.boards.contains_key(&c.board) {
                return Err(format!("cluster {} is on a missing board", c.id));
            }
        }
        Ok(())
    }

    /// Totals must be exactly the ballots plus the paper tallies, or the ranking would not
    /// be the one people voted; ballots and open tallies stay within budget and cap.
    fn check_vote(&self, v: &Vote) -> Result<(), String> {
        let id = v.id;
        if let Some(t) = &v.title {
            check_line(t, "vote title", VOTE_TITLE_MAX)?;
        }
        if v.boards.is_empty() || v.boards.iter().any(|b| !self.boards.contains_key(b)) {
            return Err(format!("vote {id} is on a missing board"));
        }
        if v.voters as usize != v.ballots.len() {
            return Err(format!("vote {id} counts {} voters", v.voters));
        }
        let items: BTreeSet<ItemId> = v.items.iter().copied().collect();
        let mut sum: BTreeMap<ItemId, u64> = BTreeMap::new();
        for (p, ballot) in &v.ballots {
            let used: u64 = ballot.values().map(|n| u64::from(*n)).sum();
            if used > u64::from(v.budget) {
                return Err(format!("vote {id}: {p} used {used} of {} dots", v.budget));
            }
            for (item, n) in ballot {
                if *n == 0 || *n > v.per_item_cap || !items.contains(item) {
                    return Err(format!("vote {id}: {p} has {n} dots on {item}"));
                }
                *sum.entry(*item).or_default() += u64::from(*n);
            }
        }
        for (t, tally) in &v.tallies {
            let Some(table) = self.tables.get(t) else {
                return Err(format!("vote {id}: a tally of missing table {t}"));
            };
            let all: u64 = tally.values().map(|n| u64::from(*n)).sum();
            let hc = u64::from(table.headcount);
            if v.status == VoteStatus::Open && all > hc * u64::from(v.budget) {
                return Err(format!("vote {id}: table {t}'s tally is over budget"));
            }
            for (item, n) in tally {
                if *n == 0 || !items.contains(item) {
                    return Err(format!("vote {id}: table {t} has {n} dots on {item}"));
                }
                if v.status == VoteStatus::Open && u64::from(*n) > hc * u64::from(v.per_item_cap) {
                    return Err(format!("vote {id}: table {t}'s tally is over the cap"));
                }
                *sum.entry(*item).or_default() += u64::from(*n);
            }
        }
        let totals: BTreeMap<ItemId, u64> =
            v.totals.iter().map(|(i, n)| (*i, u64::from(*n))).collect();
        let cast: u64 = totals.values().sum();
        if sum != totals || cast != u64::from(v.dots_cast) {
            return Err(format!("vote {id}: totals do not add up"));
        }
        Ok(())
    }
}

/// Whether the text is exactly what the rules would have stored (cleaning it changes
/// nothing).
fn check_line(s: &str, what: &str, max: usize) -> Result<(), String> {
    match clean_line(s, what, max) {
        Ok(clean) if clean == s => Ok(()),
        Ok(_) => Err(format!("the {what} {s:?} has surrounding spaces")),
        Err(r) => Err(r.message),
    }
}

fn check_text(s: &str, what: &str, min: usize, max: usize) -> Result<(), String> {
    match clean_text(s, what, min, max) {
        Ok(clean) if clean == s => Ok(()),
        Ok(_) => Err(format!("the {what} is not normalised")),
        Err(r) => Err(r.message),
    }
}

fn check_limit(what: &str, n: usize, max: usize) -> Result<(), String> {
    if n > max {
        return Err(format!("{n} {what}; a café holds at most {max}"));
    }
    Ok(())
}
