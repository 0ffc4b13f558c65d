//! The impact report (issue 13, item 4) over real sockets: a café runs its question, a vote
//! and an action; the organiser's `report.html` gives the figures, who was online (in the
//! room and remote), the ranked results and the action, as one page with its charts in SVG
//! and a policy that lets nothing run; in an anonymous café it names no author; only
//! organisers and facilitators may open it, and it reads the same after a restart.

use cafe_shared::{Command, Location, Phase};
use cafe_tests::TestServer;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_gives_figures_presence_results_and_actions_to_organisers_only() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server
        .open_cafe(
            "Digital ID for the Pacific",
            json!({
                "description": "How do we give every islander an ID that works offline?",
                "mode": "hybrid",
                "settings": {
                    "anonymous": true,
                    "moderation": false,
                    "default_budget": 3,
                    "default_per_item_cap": 3,
                    "default_visibility": "hidden"
                },
            }),
        )
        .await;
    let plenary = org.ideate().await;
    let (ana_j, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    let (_ben_j, mut ben) = server.arrive(&cafe.code, "Ben", Location::Remote).await;
    let (_chen_j, mut chen) = server.arrive(&cafe.code, "Chen", Location::Remote).await;
    ana.post(plenary, "Offline-first ID cards").await;
    ben.post(plenary, "Post offices as enrolment points").await;
    chen.post(plenary, "Fingerprint kits on the ferry").await;
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    let v = *org
        .state()
        .votes
        .keys()
        .next()
        .expect("the vote phase opened a vote");
    let items = org.state().votes[&v].items.clone();
    let offline = items
        .iter()
        .copied()
        .find(|i| {
            org.state()
                .ideas
                .values()
                .any(|x| x.id.0 == *i && x.text.starts_with("Offline"))
        })
        .expect("the idea is on the ballot");
    ana.ok(Command::CastDot {
        vote: v,
        item: offline,
    })
    .await;
    ben.ok(Command::CastDot {
        vote: v,
        item: offline,
    })
    .await;
    chen.ok(Command::CastDot {
        vote: v,
        item: offline,
    })
    .await;
    org.ok(Command::SetPhase {
        phase: Phase::Results,
    })
    .await;
    org.ok(Command::CreateAction {
        text: "Pilot offline ID cards on two islands".into(),
        owner: None,
        owner_name: "Ministry ICT team".into(),
        due: Some("2027-06-30".into()),
        source: Some(offline),
    })
    .await;
    org.barrier().await;

    let path = format!("/api/cafes/{}/report.html", cafe.cafe_id);
    let r = server.get_with_token(&path, &cafe.organiser_token).await;
    assert_eq!(r.status().as_u16(), 200);
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/html; charset=utf-8");
    let csp = header("content-security-policy");
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "nothing may run: {csp}");
    assert_eq!(header("cache-control"), "no-store");
    assert!(
        header("content-disposition").is_empty(),
        "opens in the browser, to print"
    );
    let html = r.text().await.expect("body");

    assert!(
        html.contains("<h1 dir=\"auto\">Digital ID for the Pacific</h1>"),
        "{html}"
    );
    assert!(html.contains("How do we give every islander an ID that works offline?"));
    assert!(html.contains("Hybrid ·"), "{html}");
    // Four people: the organiser and three; two of them remote.
    assert!(
        html.contains("<strong>4</strong><span>people took part</span>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>2</strong><span>remote</span>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>3</strong><span>ideas</span>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>3</strong><span>dots cast</span>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>1</strong><span>action</span>"),
        "{html}"
    );
    // All four were online at once.
    assert!(
        html.contains("<strong>4</strong><span>online at the busiest moment</span>"),
        "{html}"
    );
    // Charts: who was online, and the vote's results (one bar, the winner's, at full length).
    assert_eq!(html.matches("<svg ").count(), 2, "{html}");
    assert!(
        html.contains("<rect class=\"bar\" width=\"100.0\""),
        "{html}"
    );
    assert!(html.contains("<polyline class=\"room\""));
    assert!(html.contains("<polyline class=\"remote\""));
    let winner = html
        .find("Offline-first ID cards")
        .expect("the winner is shown");
    assert!(html[..winner].ends_with("<li><span class=\"rank\">1.</span> <span dir=\"auto\">"));
    assert!(html.contains("<span class=\"n\">3 dots</span>"), "{html}");
    assert!(html.contains("3 people cast 3 dots on Plenary."), "{html}");
    // The action with its owner, due date and status.
    assert!(html.contains(
        "<td dir=\"auto\">Pilot offline ID cards on two islands</td><td dir=\"auto\">Ministry ICT team</td><td class=\"num\">2027-06-30</td><td>Open</td>"
    ), "{html}");
    // Anonymous: no one who wrote an idea is named.
    for name in ["Ana", "Ben", "Chen"] {
        assert!(
            !html.contains(name),
            "{name} is named in an anonymous café's report"
        );
    }
    assert!(!html.contains("<script"), "no script");

    // Participants do not get it; nobody without a token does.
    let r = server.get_with_token(&path, &ana_j.token).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = server.get(&path).await;
    assert_eq!(r.status().as_u16(), 401);

    // The same report from the store after a restart (the log is the record).
    drop((org, ana, ben, chen));
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    let again = server
        .get_with_token(&path, &cafe.organiser_token)
        .await
        .text()
        .await
        .expect("body");
    assert!(
        again.contains("<strong>4</strong><span>people took part</span>"),
        "{again}"
    );
    assert!(again.contains("Pilot offline ID cards on two islands"));
    assert!(again.contains("<span class=\"n\">3 dots</span>"));
    server.stop().await;
    drop(tmp);
}
