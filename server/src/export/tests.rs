//! The formats on one scenario café driven through the real rules; the import tests reuse
//! the scenario.

use super::csv::safe_cell;
use super::json::placeholder_code;
use super::markdown::md;
use super::*;
use crate::import::{import, parse_export, ImportError};
use cafe_shared::{
    Assignment, CafeId, ClusterCreators, Command, Ctx, ItemCount, JoinCode, Mode, PersonId, Role,
    Seat, Settings, SystemCommand, VoteDraft, VoteScope, VoteVisibility,
};

pub(crate) const T0: i64 = 1_795_000_000_000;

/// A café driven through the real rules, recording its log like the server does.
pub(crate) struct Cafe {
    pub(crate) state: CafeState,
    pub(crate) log: Vec<StoredEvent>,
    pub(crate) now: i64,
}

impl Cafe {
    pub(crate) fn record(&mut self, events: Vec<Event>) -> Vec<Event> {
        for e in &events {
            self.state.apply(e);
            let seq = self.log.len() as u64 + 1;
            self.log.push(StoredEvent {
                seq,
                at: self.now,
                event: e.clone(),
            });
        }
        self.now += 1_000;
        events
    }

    pub(crate) fn sys(&mut self, cmd: SystemCommand) -> Vec<Event> {
        let events = self
            .state
            .decide_system(self.now, &cmd)
            .expect("system cmd");
        self.record(events)
    }

    pub(crate) fn cmd(&mut self, actor: PersonId, cmd: Command) -> Vec<Event> {
        let ctx = Ctx {
            actor,
            now: self.now,
            seed: 7,
        };
        let events = self
            .state
            .decide(&ctx, &cmd)
            .unwrap_or_else(|r| panic!("{cmd:?} rejected: {r}"));
        self.record(events)
    }

    pub(crate) fn join(&mut self, name: &str, location: Location) -> PersonId {
        let events = self.sys(SystemCommand::Join {
            name: name.into(),
            role: Role::Participant,
            location,
        });
        match &events[0] {
            Event::PersonJoined { person } => person.id,
            e => panic!("unexpected {e:?}"),
        }
    }

    pub(crate) fn post(&mut self, actor: PersonId, board: BoardId, text: &str) -> IdeaId {
        let events = self.cmd(
            actor,
            Command::PostIdea {
                board,
                text: text.into(),
                category: None,
            },
        );
        match &events[0] {
            Event::IdeaPosted { idea } => idea.id,
            e => panic!("unexpected {e:?}"),
        }
    }

    pub(crate) fn last_id<T>(&self, f: impl Fn(&Event) -> Option<T>) -> T {
        self.log.iter().rev().find_map(|s| f(&s.event)).expect("id")
    }
}

const MEETINGS: &str = "Meetings, meetings, \"more\" meetings\nand email";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";
const SCRIPT: &str = "| <script>alert(1)</script>";
pub(crate) const NAMES: [&str; 6] = [
    "Olga Brandt",
    "Ana Quill",
    "Ben Stroud",
    "Hana Vole",
    "Rita Marsh",
    "Raj Pillai",
];

/// Ids of the scenario's notable things.
#[allow(dead_code)]
pub(crate) struct Ids {
    pub(crate) org: PersonId,
    pub(crate) ana: PersonId,
    pub(crate) table_a: TableId,
    pub(crate) board_a: BoardId,
    pub(crate) board_b: BoardId,
    pub(crate) meetings: IdeaId,
    pub(crate) formula: IdeaId,
    pub(crate) paper: IdeaId,
    pub(crate) script: IdeaId,
    pub(crate) vpn: IdeaId,
    pub(crate) spam: IdeaId,
    pub(crate) async_updates: IdeaId,
    pub(crate) laptops: IdeaId,
    pub(crate) process: ClusterId,
    pub(crate) tools: ClusterId,
    pub(crate) vote_a: VoteId,
    pub(crate) vote_b: VoteId,
    pub(crate) vote_plenary: VoteId,
}

/// Hybrid café: organiser, two room participants, a room host who scribes, two remote
/// participants; an in-room and a virtual table; two rounds; clusters; a harvested idea;
/// a moderated idea; a hidden vote with a paper tally, closed and revealed; a live
/// cluster vote; a live plenary vote.
pub(crate) fn scenario(anonymous: bool) -> (Cafe, Ids) {
    let mut c = Cafe {
        state: CafeState::default(),
        log: Vec::new(),
        now: T0,
    };
    c.sys(SystemCommand::CreateCafe {
        id: CafeId("cafe-original".into()),
        code: JoinCode::parse("K7MQ2P").expect("code"),
        title: "Future of work | 2030".into(),
        description: "How we *really* work.\n\nSecond paragraph # not a heading".into(),
        mode: Mode::Hybrid,
        language: Default::default(),
        settings: Settings {
            anonymous,
            // The scenario's participants make themes on their tables' boards.
            cluster_creators: ClusterCreators::Everyone,
            ..Settings::default()
        },
        organiser_name: NAMES[0].into(),
    });
    let org = c.last_id(|e| match e {
        Event::PersonJoined { person } => Some(person.id),
        _ => None,
    });
    let ana = c.join(NAMES[1], Location::Room);
    let ben = c.join(NAMES[2], Location::Room);
    let hana = c.join(NAMES[3], Location::Room);
    let rita = c.join(NAMES[4], Location::Remote);
    let raj = c.join(NAMES[5], Location::Remote);

    let table_of = |events: Vec<Event>| match &events[0] {
        Event::TableCreated { table, .. } => (table.id, table.board),
        e => panic!("unexpected {e:?}"),
    };
    let ev = c.cmd(
        org,
        Command::CreateTable {
            name: "Window".into(),
            kind: TableKind::InRoom,
        },
    );
    let (table_a, board_a) = table_of(ev);
    let ev = c.cmd(
        org,
        Command::CreateTable {
            name: "Online 1".into(),
            kind: TableKind::Virtual,
        },
    );
    let (table_b, board_b) = table_of(ev);
    c.cmd(
        org,
        Command::SetTableHost {
            table: table_a,
            person: Some(hana),
        },
    );
    c.cmd(
        hana,
        Command::SetTableHeadcount {
            table: table_a,
            headcount: 4,
        },
    );
    c.cmd(
        org,
        Command::StartRound {
            prompt: "What slows us down?".into(),
            duration_secs: 600,
            assignment: Assignment::Manual {
                seats: vec![
                    Seat {
                        person: ana,
                        table: table_a,
                    },
                    Seat {
                        person: ben,
                        table: table_a,
                    },
                    Seat {
                        person: rita,
                        table: table_b,
                    },
                    Seat {
                        person: raj,
                        table: table_b,
                    },
                ],
            },
        },
    );
    c.cmd(
        org,
        Command::SetPhase {
            phase: Phase::Ideate,
        },
    );
    c.sys(SystemCommand::SetPresence {
        person: ana,
        online: true,
    });
    let meetings = c.post(ana, board_a, MEETINGS);
    let formula = c.post(ben, board_a, FORMULA);
    let paper = c.post(hana, board_a, "Paper forms");
    let script = c.post(rita, board_b, SCRIPT);
    let vpn = c.post(raj, board_b, "Slow VPN");
    let spam = c.post(ben, board_a, "Buy cheap watches");
    c.cmd(
        org,
        Command::HideIdea {
            idea: spam,
            hidden: true,
        },
    );

    c.cmd(
        org,
        Command::SetPhase {
            phase: Phase::Group,
        },
    );
    c.cmd(
        hana,
        Command::CreateCluster {
            board: board_a,
            title: "Process".into(),
            ideas: vec![meetings, paper],
        },
    );
    let process = c.last_id(|e| match e {
        Event::ClusterCreated { cluster } => Some(cluster.id),
        _ => None,
    });
    c.cmd(
        raj,
        Command::CreateCluster {
            board: board_b,
            title: "Tools".into(),
            ideas: vec![vpn],
        },
    );
    let tools = c.last_id(|e| match e {
        Event::ClusterCreated { cluster } => Some(cluster.id),
        _ => None,
    });
    c.cmd(
        rita,
        Command::CreateCluster {
            board: board_b,
            title: "Culture".into(),
            ideas: vec![script],
        },
    );
    c.cmd(hana, Command::HarvestIdea { idea: paper });
    c.cmd(org, Command::HarvestIdea { idea: vpn });

    c.cmd(
        org,
        Command::StartRound {
            prompt: "What would speed us up?".into(),
            duration_secs: 0,
            assignment: Assignment::Keep,
        },
    );
    c.cmd(
        org,
        Command::SetPhase {
            phase: Phase::Ideate,
        },
    );
    let async_updates = c.post(ben, board_a, "Async updates");
    let laptops = c.post(raj, board_b, "Better laptops");

    // Table A's vote is prepared, then opens with the vote phase.
    c.cmd(
        org,
        Command::SetVoteDraft {
            draft: VoteDraft {
                scope: VoteScope::board(board_a),
                target: VoteTarget::Ideas,
                budget: 3,
                per_item_cap: 2,
                visibility: VoteVisibility::Hidden,
                title: None,
            },
        },
    );
    c.cmd(org, Command::SetPhase { phase: Phase::Vote });
    let vote_a = c.last_id(|e| match e {
        Event::VoteOpened { vote } => Some(vote.id),
        _ => None,
    });
    let dot = |c: &mut Cafe, who: PersonId, vote: VoteId, item: IdeaId| {
        c.cmd(who, Command::CastDot { vote, item: item.0 });
    };
    dot(&mut c, ana, vote_a, async_updates);
    dot(&mut c, ana, vote_a, async_updates);
    dot(&mut c, ana, vote_a, meetings);
    dot(&mut c, ben, vote_a, async_updates);
    dot(&mut c, ben, vote_a, formula);
    dot(&mut c, ben, vote_a, formula);
    // Ben changes his mind once: a retraction must replay too.
    c.cmd(
        ben,
        Command::RetractDot {
            vote: vote_a,
            item: formula.0,
        },
    );
    dot(&mut c, ben, vote_a, formula);
    c.cmd(
        hana,
        Command::EnterTally {
            vote: vote_a,
            table: table_a,
            counts: vec![ItemCount {
                item: paper.0,
                dots: 4,
            }],
        },
    );
    c.cmd(org, Command::RevealVote { vote: vote_a });

    c.cmd(
        org,
        Command::OpenVote {
            scope: VoteScope::board(board_b),
            target: VoteTarget::Clusters,
            budget: 2,
            per_item_cap: 2,
            visibility: VoteVisibility::Live,
            title: None,
        },
    );
    let vote_b = c.last_id(|e| match e {
        Event::VoteOpened { vote } => Some(vote.id),
        _ => None,
    });
    c.cmd(
        rita,
        Command::CastDot {
            vote: vote_b,
            item: tools.0,
        },
    );
    c.cmd(org, Command::CloseVote { vote: vote_b });

    let plenary = c.state.plenary.expect("plenary");
    c.cmd(
        org,
        Command::OpenVote {
            scope: VoteScope::board(plenary),
            target: VoteTarget::Ideas,
            budget: 2,
            per_item_cap: 1,
            visibility: VoteVisibility::Live,
            title: Some("  Which idea goes first?  ".into()),
        },
    );
    let vote_plenary = c.last_id(|e| match e {
        Event::VoteOpened { vote } => Some(vote.id),
        _ => None,
    });
    // Still open at export time: exports work during a session.
    let vpn_copy = c
        .state
        .ideas
        .values()
        .find(|i| i.harvested_from == Some(vpn))
        .expect("harvested")
        .id;
    c.cmd(
        raj,
        Command::CastDot {
            vote: vote_plenary,
            item: vpn_copy.0,
        },
    );

    let ids = Ids {
        org,
        ana,
        table_a,
        board_a,
        board_b,
        meetings,
        formula,
        paper,
        script,
        vpn,
        spam,
        async_updates,
        laptops,
        process,
        tools,
        vote_a,
        vote_b,
        vote_plenary,
    };
    (c, ids)
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = text
        .strip_prefix(super::csv::UTF8_BOM)
        .expect("the CSV starts with a BOM");
    let mut r = ::csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.expect("record");
            assert_eq!(rec.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

fn row(rows: &[BTreeMap<String, String>], id: IdeaId) -> &BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["idea_id"] == id.to_string())
        .expect("row")
}

#[test]
fn csv_has_one_row_per_idea_with_all_columns() {
    let (c, ids) = scenario(false);
    let text = export_csv(&c.state);
    let (header, rows) = parse_csv(&text);
    let mut expected: Vec<String> = "idea_id,board,table,table_kind,round,round_prompt,origin,scribed,author,category,cluster,text,created_at,hidden,rejected,private,votes,harvested_from,provenance"
        .split(',')
        .map(str::to_owned)
        .collect();
    for v in [ids.vote_a, ids.vote_b, ids.vote_plenary] {
        expected.push(format!("vote_{v}_dots"));
    }
    assert_eq!(header, expected);
    // 8 posted + 2 harvested copies, the hidden one included.
    assert_eq!(rows.len(), 10);
    assert_eq!(rows.len(), c.state.ideas.len());

    let m = row(&rows, ids.meetings);
    assert_eq!(m["text"], MEETINGS, "comma, quotes and newline survive");
    assert_eq!(m["board"], "Window");
    assert_eq!(m["table"], "Window");
    assert_eq!(m["table_kind"], "in_room");
    assert_eq!(m["round"], "1");
    assert_eq!(m["round_prompt"], "What slows us down?");
    assert_eq!(m["origin"], "room");
    assert_eq!(m["scribed"], "false");
    assert_eq!(m["author"], "Ana Quill");
    assert_eq!(m["cluster"], "Process");
    assert_eq!(m["hidden"], "false");
    assert_eq!(m["votes"], "1");
    assert_eq!(m[&format!("vote_{}_dots", ids.vote_a)], "1");
    // Its cluster was not on vote B's ballot (another board).
    assert_eq!(m[&format!("vote_{}_dots", ids.vote_b)], "");
    let created = c.state.ideas[&ids.meetings].created_at;
    assert_eq!(m["created_at"], rfc3339(created));
    assert!(m["created_at"].ends_with('Z'), "{}", m["created_at"]);
    assert!(m["created_at"].starts_with("2026-"), "{}", m["created_at"]);

    let f = row(&rows, ids.formula);
    assert_eq!(f["text"], format!("'{FORMULA}"), "formula neutralised");
    assert_eq!(f["votes"], "2");

    let p = row(&rows, ids.paper);
    assert_eq!(p["scribed"], "true");
    assert_eq!(p["author"], "Hana Vole");
    assert_eq!(p["votes"], "4");

    let s = row(&rows, ids.script);
    assert_eq!(s["origin"], "remote");
    assert_eq!(s["table_kind"], "virtual");
    assert_eq!(s["text"], SCRIPT);

    let v = row(&rows, ids.vpn);
    assert_eq!(v["cluster"], "Tools");
    assert_eq!(v[&format!("vote_{}_dots", ids.vote_b)], "1");
    assert_eq!(v["votes"], "0", "cluster dots are not the idea's own");

    assert_eq!(row(&rows, ids.spam)["hidden"], "true");
    assert_eq!(
        row(&rows, ids.spam)["rejected"],
        "false",
        "hidden, not rejected"
    );
    assert_eq!(row(&rows, ids.async_updates)["round"], "2");
    assert_eq!(row(&rows, ids.async_updates)["votes"], "3");
    assert_eq!(row(&rows, ids.laptops)["cluster"], "");

    let copy = rows
        .iter()
        .find(|r| r["board"] == "Plenary" && r["text"] == "Slow VPN")
        .expect("harvested copy");
    assert_eq!(
        copy["table"], "Online 1",
        "a copy keeps the table it came from"
    );
    assert_eq!(copy[&format!("vote_{}_dots", ids.vote_plenary)], "1");
    assert_eq!(copy[&format!("vote_{}_dots", ids.vote_a)], "");
    assert_eq!(copy["harvested_from"], ids.vpn.to_string());
    assert_eq!(
        copy["provenance"],
        "Online 1 · round 1 · Raj Pillai · remote"
    );
    let paper_copy = rows
        .iter()
        .find(|r| r["board"] == "Plenary" && r["text"] == "Paper forms")
        .expect("harvested paper note");
    assert_eq!(
        paper_copy["provenance"], "Window · round 1 · in the room · paper table",
        "a scribe's transcription names no author"
    );
    assert_eq!(v["harvested_from"], "", "the source itself is no copy");
    assert_eq!(v["provenance"], "");
}

/// A batch harvest after a revealed table vote: each copy records its dots, round, author
/// and place, every format shows them, and the log still imports (the batch replays as
/// single harvests).
#[test]
fn harvested_notes_show_their_provenance_in_every_format() {
    let (mut c, ids) = scenario(false);
    let org = c.state.organiser().expect("organiser");
    let events = c.cmd(
        org,
        Command::HarvestIdeas {
            ideas: vec![ids.async_updates, ids.formula],
        },
    );
    assert_eq!(events.len(), 2);
    let copy_of = |c: &Cafe, src: IdeaId| {
        c.state
            .ideas
            .values()
            .find(|i| i.harvested_from == Some(src))
            .cloned()
            .expect("copy")
    };
    let async_copy = copy_of(&c, ids.async_updates);
    let p = async_copy.provenance.clone().expect("provenance");
    assert_eq!(p.table, ids.table_a);
    assert_eq!(p.table_name, "Window");
    assert_eq!(p.round, Some(2));
    assert_eq!(p.author_name.as_deref(), Some("Ben Stroud"));
    assert_eq!(p.origin, Location::Room);
    assert_eq!(
        p.dots,
        Some(3),
        "vote A was revealed: its dots travel along"
    );

    // A later rename of the table or the author does not rewrite history.
    c.cmd(
        org,
        Command::RenameTable {
            table: ids.table_a,
            name: "Terrace".into(),
        },
    );

    let (_, rows) = parse_csv(&export_csv(&c.state));
    let r = row(&rows, async_copy.id);
    assert_eq!(r["board"], "Plenary");
    assert_eq!(r["harvested_from"], ids.async_updates.to_string());
    assert_eq!(
        r["provenance"],
        "Window · round 2 · Ben Stroud · in the room · 3 dots"
    );
    let f = row(&rows, copy_of(&c, ids.formula).id);
    assert_eq!(
        f["provenance"], "Window · round 1 · Ben Stroud · in the room · 2 dots",
        "{f:?}"
    );

    let md_text = export_markdown(&c.state, T0);
    assert!(
        md_text.contains("- Async updates (Ben Stroud) — from Window · round 2 · Ben Stroud · in the room · 3 dots"),
        "{md_text}"
    );

    let doc = export_json(&c.state, &c.log, T0);
    let plenary = &doc.summary.boards[0];
    let s = plenary
        .ideas
        .iter()
        .find(|i| i.id == async_copy.id)
        .expect("copy in summary");
    assert_eq!(s.harvested_from, Some(ids.async_updates));
    assert_eq!(s.provenance.as_ref(), Some(&p));
    let json = serde_json::to_value(&doc).expect("json");
    assert!(json.to_string().contains("\"table_name\":\"Window\""));

    let (_, state) = try_import(doc).expect("the batch replays");
    let imported = state
        .ideas
        .values()
        .find(|i| i.text == "Async updates" && i.harvested_from.is_some())
        .expect("copy imported");
    assert_eq!(imported.provenance.as_ref().map(|p| p.dots), Some(Some(3)));
    assert_eq!(
        imported.provenance.as_ref().map(|p| p.table_name.as_str()),
        Some("Window")
    );
}

/// Excel opens a CSV in the legacy code page unless it starts with the UTF-8 BOM, which
/// mangles "é" and Arabic; the file must start with exactly EF BB BF, once.
fn set_moderation(c: &mut Cafe, org: PersonId, moderation: bool) {
    let settings = Settings {
        moderation,
        ..c.state.settings().clone()
    };
    c.cmd(
        org,
        Command::UpdateCafe {
            title: None,
            description: None,
            mode: None,
            language: None,
            settings: Some(settings),
        },
    );
}

/// A rejected idea, one still waiting for approval and one written privately are told
/// apart in every format: facilitators' verdicts and private writing are part of the record.
#[test]
fn moderation_verdicts_and_private_writing_show_in_every_format() {
    let (mut c, ids) = scenario(false);
    c.cmd(
        ids.org,
        Command::SetPhase {
            phase: Phase::Ideate,
        },
    );
    c.cmd(ids.org, Command::RejectIdea { idea: ids.spam });
    set_moderation(&mut c, ids.org, true);
    let waiting = c.post(ids.ana, ids.board_a, "Waiting for a verdict");
    set_moderation(&mut c, ids.org, false);
    c.cmd(
        ids.org,
        Command::SetPrivateWriting {
            boards: vec![ids.board_a],
            private: true,
        },
    );
    let private = c.post(ids.ana, ids.board_a, "Only mine for now");

    let (_, rows) = parse_csv(&export_csv(&c.state));
    let flags = |id| {
        let r = row(&rows, id);
        (
            r["hidden"].clone(),
            r["rejected"].clone(),
            r["private"].clone(),
        )
    };
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(flags(ids.spam), s("true", "true", "false"));
    assert_eq!(flags(waiting), s("true", "false", "false"));
    assert_eq!(flags(private), s("false", "false", "true"));
    assert_eq!(flags(ids.meetings), s("false", "false", "false"));

    let doc = export_json(&c.state, &c.log, T0 + 5);
    let a = doc
        .summary
        .boards
        .iter()
        .find(|b| b.id == ids.board_a)
        .expect("A");
    let idea = |id| a.ideas.iter().find(|i| i.id == id).expect("idea");
    assert!(idea(ids.spam).rejected && idea(ids.spam).hidden);
    assert!(!idea(waiting).rejected && idea(waiting).hidden);
    assert!(idea(private).private && !idea(private).hidden);

    let md = export_markdown(&c.state, T0 + 5);
    assert!(
        md.contains("- **Not approved by a facilitator:** 1"),
        "{md}"
    );
    assert!(md.contains("- **Waiting for approval:** 1"), "{md}");
    assert!(
        md.contains("- **Written privately, not revealed yet:** 1"),
        "{md}"
    );
    assert!(!md.contains("Waiting for a verdict"), "{md}");
}

#[test]
fn csv_starts_with_a_utf8_bom_so_spreadsheets_read_accents() {
    let (c, _) = scenario(false);
    let text = export_csv(&c.state);
    let bytes = text.as_bytes();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
    assert!(text[3..].starts_with("idea_id,"), "{}", &text[..40]);
    assert!(!text[3..].contains('\u{feff}'), "one BOM only");
    // An empty café's CSV (the header alone) has it too.
    let empty = export_csv(&cafe_shared::CafeState::default());
    assert!(empty.starts_with('\u{feff}'));
}

/// The report names each vote by its title (trimmed as stored) or, without one, by its
/// boards, never by its id.
#[test]
fn votes_are_named_by_title_in_the_report_and_json() {
    let (c, ids) = scenario(false);
    let md = export_markdown(&c.state, T0 + 3_600_000);
    assert!(md.contains("### Which idea goes first? (ideas)"), "{md}");
    assert!(md.contains("### Vote on Window (ideas)"));
    assert!(!md.contains(&format!("Vote {}", ids.vote_a)));
    let doc = export_json(&c.state, &c.log, T0 + 5);
    let titles: Vec<&str> = doc.summary.votes.iter().map(|v| v.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Vote on Window",
            "Vote on Online 1",
            "Which idea goes first?"
        ]
    );
}

#[test]
fn safe_cell_guards_formulas_only() {
    for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(safe_cell(s), format!("'{s}"));
    }
    for s in ["", "plain", "a=b", "'quoted"] {
        assert_eq!(safe_cell(s), s);
    }
}

#[test]
fn markdown_report_ranks_and_escapes() {
    let (c, _) = scenario(false);
    let md_text = export_markdown(&c.state, T0 + 3_600_000);
    assert!(
        md_text.starts_with("# Future of work \\| 2030\n"),
        "{md_text}"
    );
    assert!(md_text.contains("- **Mode:** hybrid"));
    assert!(md_text.contains("- **People:** 4 in the room, 2 remote"));
    assert!(md_text.contains("- **Ideas:** 9"));
    assert!(md_text.contains("- **Waiting for approval:** 1"));
    assert!(md_text.contains("- **Tables:** 2"));
    assert!(md_text.contains("- **Rounds:** 2"));
    assert!(md_text.contains("How we \\*really\\* work."));
    assert!(md_text.contains("Second paragraph \\# not a heading"));
    // The moderated idea is left out everywhere.
    assert!(!md_text.contains("watches"));

    // Structure: rounds, tables, clusters, plenary, votes in order.
    let pos = |needle: &str| {
        md_text
            .find(needle)
            .unwrap_or_else(|| panic!("missing {needle:?} in\n{md_text}"))
    };
    let r1 = pos("## Round 1");
    let r2 = pos("## Round 2");
    assert!(r1 < pos("> What slows us down?") && pos("> What slows us down?") < r2);
    assert!(r1 < pos("#### Process") && pos("#### Process") < r2);
    assert!(pos("- Meetings, meetings, \"more\" meetings and email (Ana Quill)") < r2);
    assert!(pos("- Async updates (Ben Stroud)") > r2);
    assert!(pos("## Plenary") > r2);
    assert!(pos("## Votes") > pos("## Plenary"));

    // Vote A ranked: paper 4, async 3, formula 2, meetings 1.
    let rows = [
        "| 1 | 4 | Paper forms |".to_owned(),
        "| 2 | 3 | Async updates |".to_owned(),
        format!("| 3 | 2 | {} |", md(FORMULA)),
        "| 4 | 1 | Meetings, meetings, \"more\" meetings and email |".to_owned(),
    ];
    let at: Vec<usize> = rows.iter().map(|r| pos(r)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{md_text}");
    assert!(at[0] > pos("### Vote on Window (ideas)"));
    // Cluster vote shows cluster titles; ties are listed by id (Tools before Culture).
    assert!(pos("### Vote on Online 1 (clusters)") > at[3]);
    assert!(pos("| 1 | 1 | Tools |") < pos("| 2 | 0 | Culture |"));
    assert!(md_text.contains("closed; 10 dots cast; budget 3 dots per person"));
    assert!(md_text.contains("closed; 1 dot cast;"));

    // The malicious text cannot break a table or inject HTML.
    assert!(!md_text.contains("<script>"));
    assert!(md_text.contains("\\| &lt;script&gt;alert(1)&lt;/script&gt;"));
    for line in md_text.lines().filter(|l| l.starts_with("| ")) {
        let unescaped_pipes = line
            .char_indices()
            .filter(|(i, ch)| *ch == '|' && (*i == 0 || &line[i - 1..*i] != "\\"))
            .count();
        assert_eq!(unescaped_pipes, 4, "{line}");
    }
}

#[test]
fn md_escaping() {
    assert_eq!(md("a|b"), "a\\|b");
    assert_eq!(md("<b>&"), "&lt;b&gt;&amp;");
    assert_eq!(md("[x](javascript:y)"), "\\[x\\](javascript:y)");
    assert_eq!(md("*_`#~\\"), "\\*\\_\\`\\#\\~\\\\");
    assert_eq!(md("- item"), "\\- item");
    assert_eq!(md("12. item"), "12\\. item");
    assert_eq!(md("line\nbreak"), "line break");
}

#[test]
fn anonymous_cafe_exports_no_author_names() {
    let (c, ids) = scenario(true);
    let authors = &NAMES[1..];

    let (_, rows) = parse_csv(&export_csv(&c.state));
    assert!(rows.iter().all(|r| r["author"].is_empty()));
    let csv_text = export_csv(&c.state);
    let md_text = export_markdown(&c.state, T0);
    for name in authors {
        assert!(!csv_text.contains(name), "{name} in CSV");
        assert!(!md_text.contains(name), "{name} in Markdown");
    }
    assert!(md_text.contains("- **Anonymous:** yes"));

    let doc = export_json(&c.state, &c.log, T0);
    // The log keeps authors as person ids (for edit rights after an import), but no event
    // links an id to a name: every person_joined carries a neutral one.
    let doc_json = serde_json::to_string(&doc).expect("json");
    for name in NAMES {
        assert!(!doc_json.contains(name), "{name} in the JSON export");
    }
    for s in &doc.events {
        match &s.event {
            Event::PersonJoined { person } => assert!(person.name.starts_with("Participant ")),
            Event::PersonRenamed { .. } => panic!("a rename carries a name"),
            _ => {}
        }
    }
    let summary_json = serde_json::to_string(&doc.summary).expect("json");
    for name in authors {
        assert!(!summary_json.contains(name), "{name} in summary");
    }
    // The stored log itself is untouched (the server keeps authors for edit rights).
    assert!(c
        .log
        .iter()
        .any(|s| matches!(&s.event, Event::IdeaPosted { idea } if idea.author.is_some())));

    // And an anonymous export still imports.
    let (_, state) = import(
        doc,
        CafeId("cafe-anon-copy".into()),
        JoinCode::parse("ABCDEF").expect("code"),
    )
    .expect("import");
    assert_eq!(state.ideas, c.state.ideas, "authorship survives the import");
    assert_eq!(state.ideas.len(), c.state.ideas.len());
    assert_eq!(state.votes, c.state.votes);
    let _ = ids;
}

#[test]
fn json_summary_marks_hidden_and_ranks() {
    let (c, ids) = scenario(false);
    let doc = export_json(&c.state, &c.log, T0 + 5);
    assert_eq!(doc.format, EXPORT_FORMAT);
    assert_eq!(doc.version, EXPORT_VERSION);
    assert_eq!(doc.exported_at, T0 + 5);
    assert_eq!(Some(&doc.cafe), c.state.info.as_ref());
    assert_eq!(doc.events, c.log, "non-anonymous: the log as stored");
    let s = &doc.summary;
    assert_eq!(s.boards[0].label, "Plenary");
    let a = s.boards.iter().find(|b| b.id == ids.board_a).expect("A");
    let spam = a.ideas.iter().find(|i| i.id == ids.spam).expect("spam");
    assert!(spam.hidden);
    assert_eq!(spam.author.as_deref(), Some("Ben Stroud"));
    let process = a.clusters.iter().find(|k| k.id == ids.process).expect("c");
    assert_eq!(process.ideas, vec![ids.meetings, ids.paper]);
    let vote = s.votes.iter().find(|v| v.id == ids.vote_a).expect("vote");
    let labels: Vec<&str> = vote.results.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        vec!["Paper forms", "Async updates", FORMULA, MEETINGS]
    );
    assert_eq!(s.people_in_room, 4);
    assert_eq!(s.people_remote, 2);
    assert_eq!(s.rounds.len(), 2);
    let b = s.boards.iter().find(|b| b.id == ids.board_b).expect("B");
    assert!(b.clusters.iter().any(|k| k.id == ids.tools));
    assert_eq!(ids.table_a, s.tables[0].id);
}

#[test]
fn json_round_trip_imports_as_a_new_cafe() {
    let (c, _ids) = scenario(false);
    let doc = export_json(&c.state, &c.log, T0);
    let text = serde_json::to_string_pretty(&doc).expect("serialize");
    let back = parse_export(text.as_bytes()).expect("parse");
    assert_eq!(back, doc);

    let new_id = CafeId("cafe-copy".into());
    let new_code = JoinCode::parse("XYZ234").expect("code");
    let (events, state) = import(back, new_id.clone(), new_code.clone()).expect("import");

    // The new café's info differs only in id and code.
    let info = state.info.clone().expect("info");
    let mut orig = c.state.info.clone().expect("info");
    assert_eq!(info.id, new_id);
    assert_eq!(info.code, new_code);
    orig.id = new_id;
    orig.code = new_code;
    assert_eq!(info, orig);

    assert_eq!(state.boards, c.state.boards);
    assert_eq!(state.ideas, c.state.ideas);
    assert_eq!(state.clusters, c.state.clusters);
    assert_eq!(state.votes, c.state.votes);
    assert_eq!(state.tables, c.state.tables);
    assert_eq!(state.rounds, c.state.rounds);
    assert_eq!(state.phase, c.state.phase);
    assert_eq!(state.plenary, c.state.plenary);
    assert_eq!(state.next_id, c.state.next_id);
    assert_eq!(state.timer, c.state.timer);
    assert_eq!(state.hands, c.state.hands);
    // People are the same, but nobody is online in a café nobody has connected to yet.
    let mut people = c.state.people.clone();
    for p in people.values_mut() {
        p.online = false;
    }
    assert_eq!(state.people, people);

    // Events: the original log with the new id/code, then one presence change for the
    // person who was online.
    assert_eq!(events.len(), c.log.len() + 1);
    for (i, (new, old)) in events.iter().zip(&c.log).enumerate() {
        if i == 0 {
            assert!(matches!(new, Event::CafeCreated { info, .. } if info.id.0 == "cafe-copy"));
        } else {
            assert_eq!(new, &old.event);
        }
    }
    assert!(matches!(
        events.last(),
        Some(Event::PresenceChanged { online: false, .. })
    ));

    // Replaying the returned events from scratch gives the returned state, so the server
    // can store them and rebuild the café later.
    let mut replay = CafeState::default();
    for e in &events {
        replay.apply(e);
    }
    assert_eq!(replay, state);

    // The imported café works under the rules: the organiser can keep going.
    let org = state.organiser().expect("organiser");
    assert_eq!(Some(org), c.state.organiser());
    let ctx = Ctx {
        actor: org,
        now: T0,
        seed: 1,
    };
    assert!(state
        .decide(
            &ctx,
            &Command::SetPhase {
                phase: Phase::Results
            }
        )
        .is_ok());
}

pub(crate) fn doc_of(c: &Cafe) -> ExportDoc {
    export_json(&c.state, &c.log, T0)
}

pub(crate) fn try_import(doc: ExportDoc) -> Result<(Vec<Event>, CafeState), ImportError> {
    import(
        doc,
        CafeId("cafe-x".into()),
        JoinCode::parse("ABCDEF").expect("code"),
    )
}

#[test]
fn exports_work_after_close_and_for_an_empty_cafe() {
    let (mut c, ids) = scenario(false);
    c.cmd(
        ids.org,
        Command::SetPhase {
            phase: Phase::Closed,
        },
    );
    assert!(export_markdown(&c.state, T0).contains("- **Phase:** closed"));
    assert_eq!(parse_csv(&export_csv(&c.state)).1.len(), 10);
    assert!(try_import(doc_of(&c)).is_ok());

    // A café with nothing in it yet.
    let mut e = Cafe {
        state: CafeState::default(),
        log: Vec::new(),
        now: T0,
    };
    e.sys(SystemCommand::CreateCafe {
        id: CafeId("empty".into()),
        code: JoinCode::parse("ABCDEF").expect("code"),
        title: "Empty".into(),
        description: String::new(),
        mode: Mode::Online,
        language: Default::default(),
        settings: Settings::default(),
        organiser_name: "Org".into(),
    });
    let (header, rows) = parse_csv(&export_csv(&e.state));
    assert_eq!(header.len(), 19);
    assert!(rows.is_empty());
    assert!(export_markdown(&e.state, T0).contains("_No ideas._"));
    assert!(try_import(doc_of(&e)).is_ok());
}

#[test]
fn every_event_of_the_scenario_round_trips_through_json() {
    let (c, _) = scenario(false);
    for stored in &c.log {
        let text = serde_json::to_string(stored).expect("serialize");
        let back: StoredEvent = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not read back: {e}", stored.event.kind()));
        assert_eq!(&back, stored);
        // The export writes exactly the wire JSON of the event.
        let wire = serde_json::to_value(&stored.event).expect("wire");
        let ours: serde_json::Value = serde_json::from_str(&text).expect("value");
        assert_eq!(ours["event"], wire);
    }
    // Events with id-keyed maps read back with plain serde (serde#1183 is handled in shared).
    let revealed = c
        .log
        .iter()
        .find(|s| matches!(s.event, Event::VoteRevealed { .. }))
        .expect("reveal");
    let text = serde_json::to_string(&revealed.event).expect("json");
    assert_eq!(
        serde_json::from_str::<Event>(&text).expect("parse"),
        revealed.event
    );
    let progress = Event::VoteProgress {
        vote: VoteId(3),
        dots_cast: 2,
        voters: 0,
        totals: BTreeMap::from([(5, 2)]),
        ballot: None,
        tally: Some(cafe_shared::Tally {
            table: TableId(4),
            counts: BTreeMap::from([(5, 2)]),
        }),
    };
    let stored = StoredEvent {
        seq: 1,
        at: 0,
        event: progress,
    };
    let text = serde_json::to_string(&stored).expect("serialize");
    assert_eq!(
        serde_json::from_str::<StoredEvent>(&text).expect("read"),
        stored
    );
}

#[test]
fn placeholder_code_is_valid() {
    assert_eq!(placeholder_code().as_str().len(), JoinCode::MIN_LEN);
    let doc = export_json(&CafeState::default(), &[], T0);
    assert_eq!(doc.cafe.title, "");
}
