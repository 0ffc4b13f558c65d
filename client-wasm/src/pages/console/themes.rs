//! Clustering in the console: a board's notes under their themes. A note moves to a theme by
//! dragging it there (HTML5 drag and drop) or, without a mouse, with its "Move to…" button,
//! which lists the themes as buttons; either way the move is announced politely. Themes are
//! created, renamed, merged and deleted here (merging and deleting ask first). Every control
//! shows only when the shared permits say the server would accept it.

use crate::components::confirm::ConfirmButton;
use crate::components::form::{event_value, input_value};
use crate::components::new_cluster::NewCluster;
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::Ctx;
use cafe_shared::limits::CLUSTER_TITLE_MAX;
use cafe_shared::{BoardId, CafeState, ClusterId, Command, ErrorCode, IdeaId};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ThemeNote {
    id: IdeaId,
    text: String,
    hidden: bool,
    /// Where the note may go: `None` (out of any theme) and the themes `may_move_idea`
    /// allows, its own excluded; empty when it may not move at all.
    targets: Vec<Option<ClusterId>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Theme {
    id: ClusterId,
    title: String,
    notes: Vec<ThemeNote>,
    /// `may_change_cluster`: rename and delete.
    can_change: bool,
    /// Themes this one may merge into (`may_merge_clusters`).
    merge_into: Vec<ClusterId>,
}

#[derive(Properties, PartialEq)]
pub(super) struct ThemesProps {
    pub(super) board: BoardId,
    /// Every board, plenary first, with its name.
    pub(super) boards: Vec<(BoardId, String)>,
    pub(super) themes: Vec<Theme>,
    /// Notes in no theme.
    pub(super) loose: Vec<ThemeNote>,
    /// Why `may_create_cluster` refuses on this board, if it does.
    pub(super) create_refused: Option<ErrorCode>,
    pub(super) on_board: Callback<BoardId>,
}

/// What the Themes card shows of `board`.
pub(super) fn themes_props(
    ctx: &Ctx,
    state: &CafeState,
    board: BoardId,
    boards: Vec<(BoardId, String)>,
    on_board: Callback<BoardId>,
) -> ThemesProps {
    let clusters: Vec<_> = state
        .clusters
        .values()
        .filter(|c| c.board == board)
        .collect();
    let note = |i: &cafe_shared::Idea| {
        let mut targets = Vec::new();
        if ctx.allowed(|me| state.may_move_idea(me, i.id, None)) {
            if i.cluster.is_some() {
                targets.push(None);
            }
            targets.extend(
                clusters
                    .iter()
                    .filter(|c| i.cluster != Some(c.id))
                    .filter(|c| ctx.allowed(|me| state.may_move_idea(me, i.id, Some(c.id))))
                    .map(|c| Some(c.id)),
            );
        }
        ThemeNote {
            id: i.id,
            text: i.text.clone(),
            hidden: i.hidden,
            targets,
        }
    };
    let notes_in = |c: Option<ClusterId>| {
        state
            .ideas
            .values()
            .filter(|i| i.board == board && i.cluster == c)
            .map(|b| note(b))
            .collect::<Vec<_>>()
    };
    let themes = clusters
        .iter()
        .map(|c| Theme {
            id: c.id,
            title: c.title.clone(),
            notes: notes_in(Some(c.id)),
            can_change: ctx.allowed(|me| state.may_change_cluster(me, c.id)),
            merge_into: clusters
                .iter()
                .filter(|o| ctx.allowed(|me| state.may_merge_clusters(me, c.id, o.id)))
                .map(|o| o.id)
                .collect(),
        })
        .collect();
    ThemesProps {
        board,
        boards,
        themes,
        loose: notes_in(None),
        create_refused: ctx
            .may(|me| state.may_create_cluster(me, board))
            .err()
            .map(|r| r.code),
        on_board,
    }
}

/// The drag's payload type: a note id, so a drop of anything else (text, files) finds no
/// note and is ignored.
const DRAG_TYPE: &str = "text/x-cafe-idea";

#[function_component(ThemesCard)]
pub(super) fn themes_card(p: &ThemesProps) -> Html {
    let t = use_t();
    let send = use_send();
    let said = use_state(String::new);
    let title_of = |c: Option<ClusterId>| match c {
        Some(id) => p
            .themes
            .iter()
            .find(|th| th.id == id)
            .map_or_else(String::new, |th| th.title.clone()),
        None => t.t("cluster.none").to_string(),
    };
    // One way to move, for the mouse and the keyboard alike: send, then say so.
    let move_to = {
        let (send, said) = (send.clone(), said.clone());
        let names: Vec<(Option<ClusterId>, String)> = std::iter::once(None)
            .chain(p.themes.iter().map(|th| Some(th.id)))
            .map(|c| (c, title_of(c)))
            .collect();
        let notes: Vec<(IdeaId, String, Vec<Option<ClusterId>>)> = p
            .themes
            .iter()
            .flat_map(|th| th.notes.iter())
            .chain(p.loose.iter())
            .map(|n| (n.id, n.text.clone(), n.targets.clone()))
            .collect();
        Callback::from(move |(idea, cluster): (IdeaId, Option<ClusterId>)| {
            let Some((_, text, targets)) = notes.iter().find(|(i, _, _)| *i == idea) else {
                return;
            };
            // A drop where the note may not go (its own theme, another board) does nothing.
            if !targets.contains(&cluster) {
                return;
            }
            send.emit(Command::MoveIdea { idea, cluster });
            let theme = names
                .iter()
                .find(|(c, _)| *c == cluster)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            said.set(t.f("themes.moved", &[("note", text), ("theme", &theme)]));
        })
    };
    // A move made from the keyboard gives focus back to the note's "Move to…" button once
    // the note shows in its new theme (the server's event re-renders it there).
    let refocus = use_state(|| None::<(IdeaId, Option<ClusterId>)>);
    let arrived = (*refocus).and_then(|(idea, to)| {
        let here = p
            .themes
            .iter()
            .find(|th| th.notes.iter().any(|n| n.id == idea))
            .map(|th| th.id);
        (here == to).then_some(idea)
    });
    {
        let refocus = refocus.clone();
        use_effect_with(arrived, move |a| {
            if let Some(idea) = a {
                focus_id(&format!("move-{idea}"));
                refocus.set(None);
            }
        });
    }
    let move_by_key = {
        let move_to = move_to.clone();
        Callback::from(move |(idea, to): (IdeaId, Option<ClusterId>)| {
            refocus.set(Some((idea, to)));
            move_to.emit((idea, to));
        })
    };
    let on_board = {
        let cb = p.on_board.clone();
        Callback::from(move |e: Event| {
            if let Ok(b) = event_value(&e).parse::<u64>() {
                cb.emit(BoardId(b));
            }
        })
    };
    let choices: Vec<(Option<ClusterId>, String)> = std::iter::once(None)
        .chain(p.themes.iter().map(|th| Some(th.id)))
        .map(|c| (c, title_of(c)))
        .collect();
    let group = |id: Option<ClusterId>, notes: &[ThemeNote], head: Html| {
        let zone_id = id.map_or_else(|| "theme-none".to_string(), |c| format!("theme-{c}"));
        // Every zone accepts a drop; what is dropped is checked on `drop`.
        let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
        let ondrop = {
            let move_to = move_to.clone();
            Callback::from(move |e: DragEvent| {
                e.prevent_default();
                let idea = e
                    .data_transfer()
                    .and_then(|d| d.get_data(DRAG_TYPE).ok())
                    .and_then(|s| s.parse::<u64>().ok());
                if let Some(i) = idea {
                    move_to.emit((IdeaId(i), id));
                }
            })
        };
        html! {
            // Keyed, so a theme's open rename or question stays with it when another goes.
            <li key={zone_id.clone()} class={classes!("theme", id.is_none().then_some("theme-loose-zone"))} id={zone_id}
                data-theme={id.map(|c| c.0.to_string()).unwrap_or_default()} {ondragover} {ondrop}>
                { head }
                <ul class="theme-notes">
                    { for notes.iter().map(|n| html! {
                        <NoteItem key={n.id.0} note={n.clone()} choices={choices.clone()} on_move={move_by_key.clone()} />
                    }) }
                    if notes.is_empty() { <li class="muted small theme-empty">{ t.t("themes.drop_here") }</li> }
                </ul>
            </li>
        }
    };
    let board_select = html! {
        <label class="field">
            <span>{ t.t("themes.board") }</span>
            <select id="themes-board" class="input" onchange={on_board}>
                { for p.boards.iter().map(|(b, name)| html! {
                    <option value={b.0.to_string()} selected={*b == p.board}>{ name.clone() }</option>
                }) }
            </select>
        </label>
    };
    html! {
        <section class="card card-wide themes-card" aria-labelledby="themes-title">
            <h2 id="themes-title">{ t.t("themes.title") }</h2>
            <p class="muted small" id="themes-help">{ t.t("themes.help") }</p>
            { board_select }
            if p.create_refused.is_none() {
                <NewCluster board={p.board} input_id="new-theme" button_id="create-theme" />
            } else {
                <p class="muted small" id="themes-create-refused">{ t.t("themes.create_refused") }</p>
            }
            <p class="sr-only" id="themes-said" aria-live="polite">{ (*said).clone() }</p>
            <ul class="themes" aria-describedby="themes-help">
                { for p.themes.iter().map(|th| group(Some(th.id), &th.notes, html! {
                    <ThemeHead theme={th.clone()} others={p.themes.iter().filter(|o| th.merge_into.contains(&o.id)).map(|o| (o.id, o.title.clone())).collect::<Vec<_>>()} />
                })) }
                { group(None, &p.loose, html! {
                    <h3 class="theme-name">{ t.t("cluster.unsorted") }</h3>
                }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NoteProps {
    note: ThemeNote,
    /// Every place a note of this board can be, "no theme" first, with its name.
    choices: Vec<(Option<ClusterId>, String)>,
    on_move: Callback<(IdeaId, Option<ClusterId>)>,
}

/// A note: draggable, and with a "Move to…" button that opens the list of places it may go.
#[function_component(NoteItem)]
fn note_item(p: &NoteProps) -> Html {
    let t = use_t();
    let open = use_state(|| false);
    let first = use_node_ref();
    {
        // The list opens with focus on its first choice, so arrows and Enter work at once.
        let first = first.clone();
        use_effect_with(*open, move |on| {
            if *on {
                if let Some(el) = first.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let n = &p.note;
    let id = n.id;
    let movable = !n.targets.is_empty();
    let ondragstart = Callback::from(move |e: DragEvent| {
        if let Some(d) = e.data_transfer() {
            let _ = d.set_data(DRAG_TYPE, &id.0.to_string());
            d.set_effect_allowed("move");
        }
    });
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let menu_id = format!("move-menu-{id}");
    // Arrows walk the list; Escape closes it and gives focus back to the button.
    let onkeydown = {
        let open = open.clone();
        let button_id = format!("move-{id}");
        Callback::from(move |e: KeyboardEvent| {
            let step = match e.key().as_str() {
                "ArrowDown" => 1,
                "ArrowUp" => -1,
                "Escape" => {
                    open.set(false);
                    focus_id(&button_id);
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            // From the focused choice's <li> to its neighbour's, wrapping at the ends.
            let li = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|a| a.parent_element());
            let Some(li) = li else { return };
            let next = if step > 0 {
                li.next_element_sibling()
                    .or_else(|| li.parent_element().and_then(|ul| ul.first_element_child()))
            } else {
                li.previous_element_sibling()
                    .or_else(|| li.parent_element().and_then(|ul| ul.last_element_child()))
            };
            if let Some(el) = next
                .and_then(|n| n.first_element_child())
                .and_then(|b| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b).ok())
            {
                let _ = el.focus();
            }
        })
    };
    html! {
        <li class={classes!("theme-note", n.hidden.then_some("note-hidden"))} id={format!("theme-note-{id}")}
            draggable={movable.to_string()} ondragstart={movable.then_some(ondragstart)}>
            <span class="theme-note-text" dir="auto">{ n.text.clone() }</span>
            if n.hidden { <span class="badge badge-hidden">{ t.t("idea.hidden") }</span> }
            if movable {
                <button type="button" id={format!("move-{id}")} class="btn btn-small btn-ghost move-note"
                    aria-haspopup="true" aria-expanded={open.to_string()} aria-controls={menu_id.clone()}
                    aria-label={t.f("themes.move_named", &[("note", &n.text)])} onclick={toggle}>
                    { t.t("themes.move") }
                </button>
                if *open {
                    <ul class="move-menu" id={menu_id} aria-label={t.f("themes.move_named", &[("note", &n.text)])} {onkeydown}>
                        { for p.choices.iter().filter(|(c, _)| n.targets.contains(c)).enumerate().map(|(k, (c, name))| {
                            let (on_move, open, c) = (p.on_move.clone(), open.clone(), *c);
                            let onclick = Callback::from(move |_| {
                                open.set(false);
                                on_move.emit((id, c));
                            });
                            html! {
                                <li><button type="button" class="btn btn-small move-choice" ref={if k == 0 { first.clone() } else { NodeRef::default() }}
                                    {onclick}>{ name.clone() }</button></li>
                            }
                        }) }
                    </ul>
                }
            }
        </li>
    }
}

fn focus_id(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = el.focus();
    }
}

#[derive(Properties, PartialEq)]
struct HeadProps {
    theme: Theme,
    /// Themes this one may merge into, with their titles.
    others: Vec<(ClusterId, String)>,
}

/// A theme's title with rename, merge and delete.
#[function_component(ThemeHead)]
fn theme_head(p: &HeadProps) -> Html {
    let t = use_t();
    let send = use_send();
    let renaming = use_state(|| false);
    let title = use_state(|| p.theme.title.clone());
    let into = use_state(|| None::<ClusterId>);
    let th = &p.theme;
    let id = th.id;
    let count = th.notes.len();
    if *renaming {
        let onsubmit = {
            let (send, renaming, title) = (send.clone(), renaming.clone(), title.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let text = title.trim().to_string();
                if !text.is_empty() {
                    send.emit(Command::RenameCluster {
                        cluster: id,
                        title: text,
                    });
                }
                renaming.set(false);
            })
        };
        let oninput = {
            let title = title.clone();
            Callback::from(move |e: InputEvent| title.set(input_value(&e)))
        };
        let cancel = {
            let renaming = renaming.clone();
            Callback::from(move |_| renaming.set(false))
        };
        return html! {
            <form class="inline-form theme-rename" {onsubmit}>
                <label class="sr-only" for={format!("rename-theme-{id}")}>{ t.f("themes.rename_named", &[("theme", &th.title)]) }</label>
                <input id={format!("rename-theme-{id}")} class="input" dir="auto" value={(*title).clone()} {oninput}
                    maxlength={CLUSTER_TITLE_MAX.to_string()} required=true />
                <button class="btn btn-primary" type="submit" id={format!("rename-theme-{id}-save")}>{ t.t("action.save") }</button>
                <button class="btn btn-ghost" type="button" onclick={cancel}>{ t.t("action.cancel") }</button>
            </form>
        };
    }
    let start = {
        let (renaming, title, current) = (renaming.clone(), title.clone(), th.title.clone());
        Callback::from(move |_| {
            title.set(current.clone());
            renaming.set(true);
        })
    };
    let pick = {
        let into = into.clone();
        Callback::from(move |e: Event| into.set(event_value(&e).parse::<u64>().ok().map(ClusterId)))
    };
    // The chosen theme while it is still there to merge into, else the first that is.
    let target = (*into)
        .and_then(|c| p.others.iter().find(|(o, _)| *o == c))
        .or(p.others.first());
    let merge = target.map(|(to, name)| {
        let (send, to) = (send.clone(), *to);
        (
            name.clone(),
            Callback::from(move |()| send.emit(Command::MergeClusters { from: id, into: to })),
        )
    });
    let delete = Callback::from(move |()| send.emit(Command::DeleteCluster { cluster: id }));
    html! {
        <div class="theme-head-row">
            <h3 class="theme-name" dir="auto">{ th.title.clone() }<span class="muted theme-size">{ format!(" ({count})") }</span></h3>
            <div class="theme-tools">
                if th.can_change {
                    <button type="button" class="btn btn-small" id={format!("rename-{id}")} onclick={start}
                        aria-label={t.f("themes.rename_named", &[("theme", &th.title)])}>{ t.t("themes.rename") }</button>
                }
                if let Some((name, on_merge)) = merge {
                    <select class="input input-small" id={format!("merge-into-{id}")} onchange={pick}
                        aria-label={t.f("themes.merge_into", &[("theme", &th.title)])}>
                        { for p.others.iter().map(|(o, n)| html! {
                            <option value={o.0.to_string()} selected={target.is_some_and(|(c, _)| c == o)}>{ n.clone() }</option>
                        }) }
                    </select>
                    <ConfirmButton id={format!("merge-{id}")} class={classes!("btn", "btn-small")}
                        label={t.t("themes.merge")} aria_label={Some(AttrValue::from(t.f("themes.merge_named", &[("theme", &th.title), ("into", &name)])))}
                        question={t.h("themes.merge_ask", &[("theme", &th.title), ("into", &name)])}
                        yes={Html::from(t.t("themes.merge"))} on_confirm={on_merge} />
                }
                if th.can_change {
                    <ConfirmButton id={format!("delete-{id}")} class={classes!("btn", "btn-small", "btn-ghost")}
                        label={t.t("themes.delete")} aria_label={Some(AttrValue::from(t.f("themes.delete_named", &[("theme", &th.title)])))}
                        question={t.h("themes.delete_ask", &[("theme", &th.title)])}
                        yes={Html::from(t.t("themes.delete"))} on_confirm={delete} />
                }
            </div>
        </div>
    }
}
