//! The impact report of one café (issue 13, item 4): a page an organiser opens from the
//! console, reads on any device and prints ("Save as PDF") for whoever funds the café. The
//! headline figures, who was there over time (in the room and remote), each vote's top
//! results and the actions with their owners and status.
//!
//! Everything is rendered here, on the server: the charts are inline SVG, the page needs no
//! JavaScript and no other file, so a saved copy keeps working. The charts are a handful of
//! rectangles and two polylines: a charting crate would add font files for its text layout
//! and gain nothing a browser does not already do with `<text>`.
//!
//! Privacy as in the other exports: no author's name anywhere; moderated-out ideas are
//! counted, never quoted; action owners are named (a commitment made in front of the room).
//! Countries and organisations are not in it: the café does not ask them yet.

use super::StoredEvent;
use super::{action_owner, human_date, utc, Summary, SummaryVote};
use base64::Engine;
use cafe_shared::{CafeState, Event, Location, Millis, PersonId, VoteStatus};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

/// The page's one style sheet, inline so that a saved report is one file. Print rules: no
/// paper size is forced, so A4 and Letter both fit (the page is narrower than either), and
/// no chart or table row is cut across pages.
const CSS: &str = "\
:root{color-scheme:light;--ink:#111827;--muted:#4b5563;--line:#d1d5db;--room:#1e3a8a;--remote:#c2410c}\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans Arabic','Noto Sans CJK SC',sans-serif;color:var(--ink);background:#fff}\
main{max-width:46rem;margin:0 auto;padding:2rem 1.25rem 3rem}\
.kicker{margin:0;color:var(--muted);font-size:.9rem;text-transform:uppercase;letter-spacing:.06em}\
h1{margin:.25rem 0 .5rem;font-size:2rem;line-height:1.2}\
h2{margin:2rem 0 .75rem;font-size:1.3rem;border-bottom:2px solid var(--ink);padding-bottom:.25rem}\
h3{margin:1.25rem 0 .25rem;font-size:1.05rem}\
.question{margin:.25rem 0 1rem;font-size:1.15rem;white-space:pre-line}\
.meta,.note{color:var(--muted);font-size:.9rem;margin:.25rem 0}\
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.75rem;margin:1.5rem 0 0;padding:0;list-style:none}\
.figures li{border:1px solid var(--line);border-radius:.5rem;padding:.6rem .75rem}\
.figures strong{display:block;font-size:1.8rem;line-height:1.1}\
.figures span{color:var(--muted);font-size:.9rem}\
figure{margin:.5rem 0 1rem}\
figcaption{color:var(--muted);font-size:.9rem}\
svg{display:block;width:100%;height:auto}\
svg text{font:13px system-ui,sans-serif;fill:var(--ink)}\
svg .axis{stroke:var(--line);stroke-width:1}\
svg .room{fill:none;stroke:var(--room);stroke-width:2.5}\
svg .remote{fill:none;stroke:var(--remote);stroke-width:2.5;stroke-dasharray:6 3}\
svg .bar{fill:var(--room)}\
svg .small{font-size:12px;fill:var(--muted)}\
.bars{list-style:none;margin:.5rem 0 1rem;padding:0}\
.bars li{margin:0 0 .6rem;break-inside:avoid}\
.rank{font-weight:600}\
.barline{display:flex;align-items:center;gap:.5rem}\
.barline svg{flex:1;height:1rem;width:auto}\
.barline .n{white-space:nowrap;color:var(--muted);font-size:.9rem;min-width:4.5rem}\
@media (max-width:40rem){figure.wide{overflow-x:auto}figure.wide svg{width:40rem;max-width:none}}\
table{width:100%;border-collapse:collapse;font-size:.95rem}\
th,td{text-align:start;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}\
th{font-weight:600}\
td.num,th.num{text-align:end;white-space:nowrap}\
footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem}\
@media print{main{max-width:none;padding:0}h2{break-after:avoid}figure,tr,.figures li{break-inside:avoid}a{color:inherit;text-decoration:none}}\
@page{margin:15mm}";

/// The Content-Security-Policy the report is served with: nothing runs, nothing loads, the
/// one inline style sheet is allowed by its hash.
pub fn report_csp() -> &'static str {
    static CSP: LazyLock<String> = LazyLock::new(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    });
    &CSP
}

fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_safe(s)
}

/// How many people were online, in the room and remote, after each change in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Presence {
    pub at: Millis,
    pub room: u32,
    pub remote: u32,
}

/// Replays who was online from the log: joins (online as they join), presence changes,
/// moves between the room and remote, removals. One point per change in the counts.
pub fn presence_over_time(events: &[StoredEvent]) -> Vec<Presence> {
    let mut people: BTreeMap<PersonId, (bool, Location)> = BTreeMap::new();
    let mut out: Vec<Presence> = Vec::new();
    for e in events {
        match &e.event {
            Event::PersonJoined { person } => {
                people.insert(person.id, (person.online, person.location));
            }
            Event::PresenceChanged { person, online } => {
                if let Some(p) = people.get_mut(person) {
                    p.0 = *online;
                }
            }
            Event::LocationChanged { person, location } => {
                if let Some(p) = people.get_mut(person) {
                    p.1 = *location;
                }
            }
            Event::PersonRemoved { person } => {
                people.remove(person);
            }
            _ => continue,
        }
        let count = |l: Location| {
            let n = people.values().filter(|(on, at)| *on && *at == l).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        let point = Presence {
            at: e.at,
            room: count(Location::Room),
            remote: count(Location::Remote),
        };
        match out.last_mut() {
            Some(last) if (last.room, last.remote) == (point.room, point.remote) => {}
            // Several changes in one millisecond (a batch) are one point.
            Some(last) if last.at == point.at => *last = point,
            _ => out.push(point),
        }
    }
    out
}

/// "14:08" in UTC, for chart axes (the header gives the date and says UTC).
fn clock(ms: Millis) -> String {
    utc(ms).map_or_else(String::new, |t| {
        format!("{:02}:{:02}", t.hour(), t.minute())
    })
}

/// People online over time, in the room (solid) and remote (dashed), as step lines.
fn presence_chart(points: &[Presence], end: Millis) -> Option<String> {
    let first = points.first()?;
    let peak = points.iter().map(|p| p.room.max(p.remote)).max()?.max(1);
    let (w, h, left, right, top, bottom) = (640.0, 220.0, 36.0, 12.0, 28.0, 28.0);
    let span = (end - first.at).max(1) as f64;
    let x = |at: Millis| left + (at - first.at) as f64 / span * (w - left - right);
    let y = |n: u32| top + (1.0 - f64::from(n) / f64::from(peak)) * (h - top - bottom);
    let line = |value: fn(&Presence) -> u32| {
        let mut d = String::new();
        let mut last: Option<u32> = None;
        for p in points {
            if let Some(prev) = last {
                let _ = write!(d, " {:.1},{:.1}", x(p.at), y(prev));
            }
            let _ = write!(d, " {:.1},{:.1}", x(p.at), y(value(p)));
            last = Some(value(p));
        }
        if let Some(prev) = last {
            let _ = write!(d, " {:.1},{:.1}", x(end), y(prev));
        }
        d
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"presence-title\">\
         <title id=\"presence-title\">People online from {} to {} UTC, at most {} in the room \
         and {} remote at once</title>",
        clock(first.at),
        clock(end),
        points.iter().map(|p| p.room).max().unwrap_or(0),
        points.iter().map(|p| p.remote).max().unwrap_or(0),
    );
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/>\
         <line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{peak}</text>\
         <text x=\"{lx}\" y=\"{b}\" text-anchor=\"end\">0</text>\
         <text class=\"small\" x=\"{left}\" y=\"{by}\">{}</text>\
         <text class=\"small\" x=\"{r}\" y=\"{by}\" text-anchor=\"end\">{}</text>\
         <polyline class=\"room\" points=\"{}\"/><polyline class=\"remote\" points=\"{}\"/>\
         <line class=\"room\" x1=\"{left}\" y1=\"12\" x2=\"{l2}\" y2=\"12\"/>\
         <text x=\"{l3}\" y=\"16\">in the room</text>\
         <line class=\"remote\" x1=\"170\" y1=\"12\" x2=\"194\" y2=\"12\"/>\
         <text x=\"200\" y=\"16\">remote</text></svg>",
        clock(first.at),
        clock(end),
        line(|p| p.room),
        line(|p| p.remote),
        b = h - bottom,
        r = w - right,
        lx = left - 6.0,
        ty = top + 4.0,
        by = h - 8.0,
        l2 = left + 24.0,
        l3 = left + 30.0,
    );
    Some(svg)
}

/// A vote's ranked results as bars: each item's words as text (they wrap, keep their own
/// direction and stay readable on a phone), its bar an SVG scaled to the most dots.
fn results_chart(vote: &SummaryVote, top: usize) -> Option<String> {
    let rows: Vec<_> = vote
        .results
        .iter()
        .filter(|r| r.dots > 0)
        .take(top)
        .collect();
    let most = rows.iter().map(|r| r.dots).max()?;
    let mut out = format!(
        "<ol class=\"bars\" aria-label=\"Dots per item, the top {} of {}\">",
        rows.len(),
        html_escape::encode_double_quoted_attribute(&vote.title)
    );
    for r in rows {
        let pct = f64::from(r.dots) / f64::from(most) * 100.0;
        let _ = write!(
            out,
            "<li><span class=\"rank\">{}.</span> <span dir=\"auto\">{}</span>\
             <span class=\"barline\"><svg viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" \
             aria-hidden=\"true\"><rect class=\"bar\" width=\"{pct:.1}\" height=\"10\"/></svg>\
             <span class=\"n\">{} {}</span></span></li>",
            r.rank,
            esc(&r.label),
            r.dots,
            if r.dots == 1 { "dot" } else { "dots" },
        );
    }
    out.push_str("</ol>");
    Some(out)
}

/// The report as one HTML page. `events` is the café's committed log (for who was online
/// when); `summary` the same derived figures the JSON export carries.
pub fn export_report_html(
    state: &CafeState,
    summary: &Summary,
    events: &[StoredEvent],
    now: Millis,
) -> String {
    let info = state.info.as_ref();
    let title = info.map_or("Innovation Café", |i| i.title.as_str());
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>Impact report: {}</title><style>{CSS}</style></head><body><main>\
         <header><p class=\"kicker\">Innovation Café · impact report</p>\
         <h1 dir=\"auto\">{}</h1>",
        esc(title),
        esc(title)
    );
    if let Some(q) = info.map(|i| i.description.trim()).filter(|d| !d.is_empty()) {
        let _ = write!(out, "<p class=\"question\" dir=\"auto\">{}</p>", esc(q));
    }
    let started = events.first().map(|e| e.at).or(info.map(|i| i.created_at));
    // A link's new secret after the café closed is not part of the café's time.
    let ended = events
        .iter()
        .rev()
        .find(|e| !e.event.is_access_link())
        .map_or(now, |e| e.at);
    if let Some(i) = info {
        let mode = match i.mode {
            cafe_shared::Mode::InPerson => "In person",
            cafe_shared::Mode::Online => "Online",
            cafe_shared::Mode::Hybrid => "Hybrid",
        };
        let _ = write!(
            out,
            "<p class=\"meta\">{mode} · {} to {} · join code {}</p>",
            human_date(started.unwrap_or(i.created_at)),
            clock(ended),
            esc(&i.code.display())
        );
    }
    let _ = write!(
        out,
        "<p class=\"meta\">Made {} from the café's record.</p></header>",
        human_date(now)
    );

    // Headline figures.
    let people = summary.people_in_room + summary.people_remote;
    let staff = state
        .active_people()
        .filter(|p| p.role.is_facilitator())
        .count();
    let presence = &summary.online;
    let peak = summary.peak_online;
    let ideas = state.ideas.values().filter(|i| !i.hidden).count();
    let themes = state.clusters.len();
    let dots: u32 = summary.votes.iter().map(|v| v.dots_cast).sum();
    let voters = state.votes.values().map(|v| v.voters).max().unwrap_or(0);
    let actions = summary.actions.len();
    out.push_str("<ul class=\"figures\">");
    let mut fig = |n: String, what: &str| {
        let _ = write!(out, "<li><strong>{n}</strong><span>{what}</span></li>");
    };
    fig(people.to_string(), "people took part");
    fig(summary.people_in_room.to_string(), "in the room");
    fig(summary.people_remote.to_string(), "remote");
    fig(peak.to_string(), "online at the busiest moment");
    fig(ideas.to_string(), if ideas == 1 { "idea" } else { "ideas" });
    fig(
        themes.to_string(),
        if themes == 1 { "theme" } else { "themes" },
    );
    fig(dots.to_string(), "dots cast");
    fig(
        actions.to_string(),
        if actions == 1 { "action" } else { "actions" },
    );
    out.push_str("</ul>");
    let _ = write!(
        out,
        "<p class=\"note\">People who took part include {staff} facilitating; people a \
         facilitator removed are not counted."
    );
    if !state.votes.is_empty() {
        let _ = write!(
            out,
            " {voters} {} voted in the largest vote.",
            if voters == 1 { "person" } else { "people" }
        );
    }
    out.push_str("</p>");

    // Who was there, over time.
    out.push_str("<section><h2>Who was there</h2>");
    match presence_chart(presence, ended) {
        Some(svg) => {
            let _ = write!(
                out,
                "<figure class=\"wide\">{svg}<figcaption>People online, in the room and remote, from the \
                 first join to the last change (UTC).</figcaption></figure>"
            );
        }
        None => out.push_str("<p class=\"note\">Nobody has joined yet.</p>"),
    }
    let tables = &summary.tables;
    if !tables.is_empty() {
        let _ = write!(
            out,
            "<p class=\"note\">{} tables, {} rounds.</p>",
            tables.len(),
            summary.rounds.len()
        );
    }
    out.push_str("</section>");

    // Results: votes that ended or were revealed; an open, hidden vote says only its count.
    out.push_str("<section><h2>Results</h2>");
    if summary.votes.is_empty() {
        out.push_str("<p class=\"note\">No vote was held.</p>");
    }
    for v in summary.votes.iter().rev() {
        let voters = state.votes.get(&v.id).map_or(0, |x| x.voters);
        let _ = write!(
            out,
            "<h3 dir=\"auto\">{}</h3><p class=\"note\">{voters} {} cast {} {} on {}.</p>",
            esc(&v.title),
            if voters == 1 { "person" } else { "people" },
            v.dots_cast,
            if v.dots_cast == 1 { "dot" } else { "dots" },
            esc(&v.board_label)
        );
        let shown = v.revealed || v.status == VoteStatus::Closed;
        match results_chart(v, 10).filter(|_| shown) {
            Some(bars) => out.push_str(&bars),
            None if !shown => {
                out.push_str("<p class=\"note\">Still open; its results are not revealed.</p>");
            }
            None => out.push_str("<p class=\"note\">No dots were cast.</p>"),
        }
    }
    out.push_str("</section>");

    // Actions.
    out.push_str("<section><h2>Actions</h2>");
    if state.actions.is_empty() {
        out.push_str("<p class=\"note\">No actions were recorded.</p>");
    } else {
        out.push_str(
            "<table><thead><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr>\
             </thead><tbody>",
        );
        for a in state.actions.values() {
            let status = match a.status {
                cafe_shared::ActionStatus::Open => "Open",
                cafe_shared::ActionStatus::InProgress => "In progress",
                cafe_shared::ActionStatus::Done => "Done",
                cafe_shared::ActionStatus::Dropped => "Dropped",
            };
            let _ = write!(
                out,
                "<tr><td dir=\"auto\">{}</td><td dir=\"auto\">{}</td><td class=\"num\">{}</td>\
                 <td>{status}</td></tr>",
                esc(&a.text),
                esc(&action_owner(state, a)),
                esc(a.due.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
    let _ = write!(
        out,
        "<footer>Innovation Café impact report, made {}. Ideas a facilitator did not \
         approve are counted out; no author is named.</footer></main></body></html>",
        human_date(now)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cafe_shared::{Person, Role};

    fn joined(seq: u64, at: Millis, id: u64, location: Location, online: bool) -> StoredEvent {
        StoredEvent {
            seq,
            at,
            event: Event::PersonJoined {
                person: Person {
                    id: PersonId(id),
                    name: format!("P{id}"),
                    role: Role::Participant,
                    location,
                    online,
                    ready: false,
                    hand_raised_at: None,
                    removed: false,
                    joined_at: at,
                    visited: Default::default(),
                },
            },
        }
    }

    fn at(seq: u64, at: Millis, event: Event) -> StoredEvent {
        StoredEvent { seq, at, event }
    }

    #[test]
    fn presence_is_replayed_from_joins_changes_moves_and_removals() {
        let log = [
            joined(1, 1_000, 1, Location::Room, true),
            joined(2, 2_000, 2, Location::Remote, false),
            at(
                3,
                3_000,
                Event::PresenceChanged {
                    person: PersonId(2),
                    online: true,
                },
            ),
            // A ready change is not presence: no point.
            at(
                4,
                4_000,
                Event::ReadyChanged {
                    person: PersonId(2),
                    ready: true,
                },
            ),
            at(
                5,
                5_000,
                Event::LocationChanged {
                    person: PersonId(2),
                    location: Location::Room,
                },
            ),
            // Two changes in one batch (one millisecond) are one point.
            at(
                6,
                6_000,
                Event::PresenceChanged {
                    person: PersonId(1),
                    online: false,
                },
            ),
            at(
                7,
                6_000,
                Event::PersonRemoved {
                    person: PersonId(2),
                },
            ),
        ];
        let points = presence_over_time(&log);
        let p = |at, room, remote| Presence { at, room, remote };
        assert_eq!(
            points,
            [
                p(1_000, 1, 0),
                p(3_000, 1, 1),
                p(5_000, 2, 0),
                p(6_000, 0, 0)
            ]
        );
    }
}
