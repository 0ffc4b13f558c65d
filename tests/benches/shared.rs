//! Criterion benchmarks of the hot pure functions in cafe-shared, on a café the size of a
//! large plenary: 1,000 people and 2,000 ideas. These are the per-command costs inside the
//! café actor (decide + apply), the per-audience costs of fan-out (project, serialize) and
//! the per-frame cost of reading a command (parse). Benchmarks, not tests: nothing here
//! asserts a timing.

use cafe_shared::{
    Audience, BoardId, CafeId, CafeState, ClientFrame, Command, Ctx, Event, JoinCode, Location,
    PersonId, Phase, Role, ServerFrame, Settings, SystemCommand, VoteDraft, VoteId, VoteScope,
    VoteTarget, VoteVisibility,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;

const PEOPLE: usize = 1_000;
const IDEAS: usize = 2_000;
const NOW: i64 = 1_700_000_000_000;

fn apply_all(s: &mut CafeState, events: Result<Vec<Event>, cafe_shared::Rejection>) {
    match events {
        Ok(evs) => evs.iter().for_each(|e| s.apply(e)),
        Err(r) => panic!("setup command rejected: {r:?}"),
    }
}

fn ctx(actor: PersonId) -> Ctx {
    Ctx {
        actor,
        now: NOW,
        seed: 7,
    }
}

struct Cafe {
    state: CafeState,
    organiser: PersonId,
    members: Vec<PersonId>,
    board: BoardId,
}

/// A café in the ideate phase with 1,000 people (organiser + 999 participants) and 2,000
/// ideas posted by them, built through decide/apply exactly as the server would.
fn big_cafe() -> Cafe {
    let mut s = CafeState::default();
    let create = SystemCommand::CreateCafe {
        id: CafeId("bench".into()),
        code: match JoinCode::parse("K7MQ2P") {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        },
        title: "Bench café".into(),
        description: String::new(),
        mode: Default::default(),
        language: Default::default(),
        settings: Settings::default(),
        organiser_name: "Org".into(),
    };
    let evs = s.decide_system(NOW, &create);
    apply_all(&mut s, evs);
    let organiser = s
        .people
        .values()
        .find(|p| p.role == Role::Organiser)
        .map(|p| p.id)
        .unwrap_or(PersonId(0));
    for i in 1..PEOPLE {
        let join = SystemCommand::Join {
            name: format!("Member {i}"),
            role: Role::Participant,
            location: if i % 3 == 0 {
                Location::Remote
            } else {
                Location::Room
            },
        };
        let evs = s.decide_system(NOW, &join);
        apply_all(&mut s, evs);
    }
    let members: Vec<PersonId> = s
        .people
        .values()
        .filter(|p| p.role == Role::Participant)
        .map(|p| p.id)
        .collect();
    let evs = s.decide(
        &ctx(organiser),
        &Command::SetPhase {
            phase: Phase::Ideate,
        },
    );
    apply_all(&mut s, evs);
    let board = s.plenary.unwrap_or(BoardId(0));
    for i in 0..IDEAS {
        let who = members[i % members.len()];
        let evs = s.decide(
            &ctx(who),
            &Command::PostIdea {
                board,
                text: format!("Idea number {i}: a second coffee grinder for the morning queue"),
                category: None,
            },
        );
        apply_all(&mut s, evs);
    }
    Cafe {
        state: s,
        organiser,
        members,
        board,
    }
}

/// The same café moved to the vote phase with a live vote over all 2,000 ideas.
fn voting_cafe(c: &Cafe) -> (CafeState, VoteId) {
    let mut s = c.state.clone();
    // The prepared vote opens with the vote phase.
    let evs = s.decide(
        &ctx(c.organiser),
        &Command::SetVoteDraft {
            draft: VoteDraft {
                scope: VoteScope::board(c.board),
                target: VoteTarget::Ideas,
                budget: 20,
                per_item_cap: 3,
                visibility: VoteVisibility::Live,
                title: None,
            },
        },
    );
    apply_all(&mut s, evs);
    let evs = s.decide(&ctx(c.organiser), &Command::SetPhase { phase: Phase::Vote });
    apply_all(&mut s, evs);
    let vote = s.votes.keys().last().copied().unwrap_or(VoteId(0));
    (s, vote)
}

fn benches(cr: &mut Criterion) {
    let cafe = big_cafe();
    let (voting, vote) = voting_cafe(&cafe);
    let author = cafe.members[17];
    let item = voting.votes.get(&vote).map(|v| v.items[1234]).unwrap_or(0);

    let post = Command::PostIdea {
        board: cafe.board,
        text: "Put the brainstorm wall next to the coffee machine".into(),
        category: None,
    };
    cr.bench_function("decide+apply post_idea (1k people, 2k ideas)", |b| {
        b.iter_batched_ref(
            || cafe.state.clone(),
            |s| {
                let evs = s.decide(&ctx(author), black_box(&post));
                if let Ok(evs) = evs {
                    for e in &evs {
                        s.apply(e);
                    }
                }
            },
            BatchSize::LargeInput,
        )
    });

    let dot = Command::CastDot { vote, item };
    cr.bench_function("decide+apply cast_dot (1k people, 2k items)", |b| {
        b.iter_batched_ref(
            || voting.clone(),
            |s| {
                let evs = s.decide(&ctx(author), black_box(&dot));
                if let Ok(evs) = evs {
                    for e in &evs {
                        s.apply(e);
                    }
                }
            },
            BatchSize::LargeInput,
        )
    });

    // decide alone does not mutate, so it needs no fresh state per iteration.
    cr.bench_function("decide post_idea only", |b| {
        b.iter(|| cafe.state.decide(&ctx(author), black_box(&post)))
    });
    cr.bench_function("decide cast_dot only", |b| {
        b.iter(|| voting.decide(&ctx(author), black_box(&dot)))
    });

    cr.bench_function("view() for a participant", |b| {
        b.iter(|| black_box(&cafe.state).view(Audience::Person(author)))
    });

    // What a joining member costs the actor: its view, encoded as the snapshot frame.
    cr.bench_function("snapshot frame for a participant (view + to_json)", |b| {
        b.iter(|| {
            ServerFrame::Snapshot {
                epoch: 1,
                seq: 5_000,
                recovered: false,
                state: Box::new(cafe.state.view(Audience::Person(author))),
            }
            .to_json()
        })
    });

    // Projection of a freshly posted idea, for each audience, on the state after it.
    let mut after = cafe.state.clone();
    let posted = match after.decide(&ctx(author), &post) {
        Ok(mut evs) => evs.remove(0),
        Err(r) => panic!("{r:?}"),
    };
    let prior = after.prior(&posted);
    after.apply(&posted);
    for (name, aud) in [
        ("public", Audience::Public),
        ("facilitator", Audience::Facilitator),
        ("person (author)", Audience::Person(author)),
    ] {
        cr.bench_function(&format!("project idea_posted → {name}"), |b| {
            b.iter(|| after.project(&prior, black_box(&posted), aud))
        });
    }

    // The vote storm's event: a dot, projected into vote progress.
    let mut vafter = voting.clone();
    let cast = match vafter.decide(&ctx(author), &dot) {
        Ok(mut evs) => evs.remove(0),
        Err(r) => panic!("{r:?}"),
    };
    let vprior = vafter.prior(&cast);
    vafter.apply(&cast);
    for (name, aud) in [
        ("public", Audience::Public),
        ("facilitator", Audience::Facilitator),
        ("person (voter)", Audience::Person(author)),
    ] {
        cr.bench_function(&format!("project dot_cast → {name}"), |b| {
            b.iter(|| vafter.project(&vprior, black_box(&cast), aud))
        });
    }

    let public_idea = after
        .project(&prior, &posted, Audience::Public)
        .unwrap_or(posted.clone());
    let frame = ServerFrame::Event {
        seq: 123_456,
        at: NOW,
        event: public_idea,
    };
    cr.bench_function("ServerFrame::Event(idea_posted).to_json", |b| {
        b.iter(|| black_box(&frame).to_json())
    });
    let progress = vafter
        .project(&vprior, &cast, Audience::Public)
        .unwrap_or(cast.clone());
    let vframe = ServerFrame::Event {
        seq: 123_457,
        at: NOW,
        event: progress,
    };
    cr.bench_function("ServerFrame::Event(vote_progress).to_json", |b| {
        b.iter(|| black_box(&vframe).to_json())
    });

    let text = match serde_json::to_string(&ClientFrame::Command {
        id: "3e8.2a".into(),
        command: post.clone(),
    }) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    cr.bench_function("ClientFrame::parse(post_idea command)", |b| {
        b.iter(|| ClientFrame::parse(black_box(&text)))
    });
    let dot_text = match serde_json::to_string(&ClientFrame::Command {
        id: "3e8.2b".into(),
        command: dot.clone(),
    }) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    cr.bench_function("ClientFrame::parse(cast_dot command)", |b| {
        b.iter(|| ClientFrame::parse(black_box(&dot_text)))
    });
}

criterion_group! {
    name = shared;
    // Short runs: two cores are shared by several engineers.
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(shared);
