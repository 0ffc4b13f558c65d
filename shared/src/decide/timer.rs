//! Deciding phases and the shared timer.

use super::{validate_duration, Act, Decision};
use crate::error::{reject, ErrorCode};
use crate::event::{Event, TimerCause};
use crate::limits::*;
use crate::model::*;

impl CafeState {
    /// A phase change carries what the new phase means, in the same decision, so that no
    /// screen ever shows a phase without its content:
    /// - a timer belongs to the phase it ran in: any phase change stops it (decided before
    ///   the change, while stopping is still allowed, e.g. before closing);
    /// - results (and closing) close and reveal every vote not yet revealed, before the
    ///   phase changes, so phones see the results with the phase;
    /// - entering the vote phase opens the prepared vote (`vote_draft`) just after the
    ///   phase changes, unless a vote on those boards is still open (it resumes) or there is
    ///   nothing to vote on yet (the console says so before the click: `vote_draft_problem`).
    pub(crate) fn decide_set_phase(&self, a: &Act, phase: Phase) -> Decision {
        self.may_set_phase(a.me)?;
        self.phase_events(a.now, phase)
    }

    /// The events of moving to `phase` (see `decide_set_phase`), whoever asks.
    pub(crate) fn phase_events(&self, now: Millis, phase: Phase) -> Decision {
        if phase == self.phase {
            return Ok(vec![]);
        }
        let mut events = Vec::new();
        if self.timer != Timer::Idle && self.phase != Phase::Closed {
            events.push(Event::TimerChanged {
                timer: Timer::Idle,
                cause: TimerCause::Stopped,
            });
        }
        if matches!(phase, Phase::Results | Phase::Closed) && self.phase != Phase::Closed {
            for v in self.votes.values().filter(|v| !v.revealed) {
                if v.status == VoteStatus::Open {
                    events.push(Event::VoteClosed { vote: v.id });
                }
                events.push(Event::VoteRevealed {
                    vote: v.id,
                    totals: v.totals.clone(),
                    tallies: v.tallies.clone(),
                });
            }
        }
        events.push(Event::PhaseChanged { phase });
        // Neither the timer nor the phase bear on the ballot, so it is decided on this
        // state (entering the vote phase closes no vote).
        if phase == Phase::Vote && self.vote_draft_problem().is_none() {
            events.push(self.vote_to_open(now, &self.vote_draft())?);
        }
        Ok(events)
    }

    /// What the café does by itself when its timer runs out, with the `auto_advance`
    /// setting on (the server's `expire_timer`; decided here so every node and every replay
    /// agree). What a World Café facilitator would do at the bell:
    /// - the end of a conversation round (a round of the café, in a phase where rounds
    ///   start) starts the next round while fewer than `planned_rounds` have run: everyone
    ///   but the hosts moves to a table they have not visited (`shuffle`), same question,
    ///   same length, and its timer starts;
    /// - otherwise the café moves to the next phase: ideate → group → vote → results (the
    ///   phase change's own rules apply: the vote phase opens the prepared vote, results
    ///   reveal the votes). It never leaves the lobby and never closes by itself.
    ///
    /// Empty when the setting is off, or when a rule would refuse the move (no tables for
    /// a round, nothing to vote on in a vote phase…): then the facilitator decides.
    /// `seed` seats the shuffle; the server derives it from the timer's end, so the choice
    /// is reproducible.
    pub(crate) fn auto_advance(&self, now: Millis, seed: u64) -> Vec<Event> {
        if !self.settings().auto_advance {
            return Vec::new();
        }
        let round_phase = matches!(self.phase, Phase::Lobby | Phase::Ideate | Phase::Group);
        if let Some(r) = self.current_round().filter(|_| round_phase) {
            let more = (self.rounds.len() as u32) < self.settings().planned_rounds;
            if more && r.duration_secs > 0 && self.can_start_round() {
                return self
                    .round_events(
                        now,
                        seed,
                        r.prompt.clone(),
                        r.duration_secs,
                        &crate::command::Assignment::Shuffle,
                    )
                    .unwrap_or_default();
            }
        }
        let next = match self.phase {
            Phase::Ideate => Phase::Group,
            Phase::Group => Phase::Vote,
            Phase::Vote => Phase::Results,
            Phase::Lobby | Phase::Results | Phase::Closed => return Vec::new(),
        };
        // A vote phase with nothing to vote on would wait for the facilitator anyway.
        if next == Phase::Vote && self.vote_draft_problem().is_some() {
            return Vec::new();
        }
        self.phase_events(now, next).unwrap_or_default()
    }

    pub(crate) fn decide_start_timer(&self, a: &Act, duration_secs: u32) -> Decision {
        self.may_facilitate(a.me)?;
        validate_duration(duration_secs)?;
        let d = i64::from(duration_secs) * 1000;
        Ok(vec![Event::TimerChanged {
            timer: Timer::Running {
                ends_at: a.now + d,
                duration_ms: d,
            },
            cause: TimerCause::Started,
        }])
    }

    pub(crate) fn decide_pause_timer(&self, a: &Act) -> Decision {
        self.may_pause_timer(a.me, a.now)?;
        match self.timer {
            Timer::Running {
                ends_at,
                duration_ms,
            } if ends_at > a.now => Ok(vec![Event::TimerChanged {
                timer: Timer::Paused {
                    remaining_ms: ends_at - a.now,
                    duration_ms,
                },
                cause: TimerCause::Paused,
            }]),
            _ => reject(ErrorCode::Conflict, "the timer is not running"),
        }
    }

    pub(crate) fn decide_resume_timer(&self, a: &Act) -> Decision {
        self.may_resume_timer(a.me)?;
        match self.timer {
            Timer::Paused {
                remaining_ms,
                duration_ms,
            } => Ok(vec![Event::TimerChanged {
                timer: Timer::Running {
                    ends_at: a.now + remaining_ms,
                    duration_ms,
                },
                cause: TimerCause::Resumed,
            }]),
            _ => reject(ErrorCode::Conflict, "the timer is not paused"),
        }
    }

    pub(crate) fn decide_extend_timer(&self, a: &Act, secs: u32) -> Decision {
        // `may_extend_timer` in two steps: the seconds are checked before the timer.
        self.may_facilitate(a.me)?;
        if secs == 0 || secs > TIMER_MAX_SECS {
            return reject(
                ErrorCode::Invalid,
                why!("extend by 1 to {TIMER_MAX_SECS} seconds"),
            );
        }
        self.check_timer_set()?;
        let add = i64::from(secs) * 1000;
        let max = i64::from(TIMER_MAX_SECS) * 1000;
        let timer = match self.timer {
            Timer::Running {
                ends_at,
                duration_ms,
            } => Timer::Running {
                ends_at: ends_at.max(a.now) + add,
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
                ends_at: a.now + add,
                duration_ms: duration_ms + add,
            },
            // Ruled out by `check_timer_set` above.
            Timer::Idle => return Ok(vec![]),
        };
        if timer.remaining_ms(a.now) > max {
            return reject(
                ErrorCode::Invalid,
                why!("a timer runs at most {TIMER_MAX_SECS} seconds"),
            );
        }
        Ok(vec![Event::TimerChanged {
            timer,
            cause: TimerCause::Extended,
        }])
    }

    pub(crate) fn decide_stop_timer(&self, a: &Act) -> Decision {
        self.may_facilitate(a.me)?;
        if self.timer == Timer::Idle {
            return Ok(vec![]);
        }
        Ok(vec![Event::TimerChanged {
            timer: Timer::Idle,
            cause: TimerCause::Stopped,
        }])
    }
}
