//! A long list cut into pages, with a search box: the console's people and ideas lists stay
//! usable with hundreds of people and a thousand ideas (only one page is ever rendered).

use crate::components::form::event_value;
use crate::i18n::use_t;
use std::rc::Rc;
use yew::prelude::*;

/// Rows shown per page unless the list asks otherwise.
pub const PER_PAGE: usize = 50;

#[derive(Properties, PartialEq)]
pub struct PagedProps {
    /// The list's element id; the search box, range and buttons take it as a prefix
    /// (`{id}-search`, `{id}-range`, `{id}-prev`, `{id}-next`).
    pub id: AttrValue,
    /// Per row, the text a search matches (any case).
    pub search: Rc<Vec<String>>,
    /// Renders row `i` of `search`; only the rows of the page shown are rendered.
    pub render: Callback<usize, Html>,
    /// What the search box looks for ("Search people").
    pub label: AttrValue,
    #[prop_or(PER_PAGE)]
    pub per_page: usize,
    #[prop_or_default]
    pub class: Classes,
    /// The list scrolls inside a fixed height (CSS) under this name: it takes keyboard focus
    /// so it can be scrolled without a mouse.
    #[prop_or_default]
    pub scrolls: Option<AttrValue>,
}

/// The rows matching `query` (every word, any case), in order.
pub fn matching(search: &[String], query: &str) -> Vec<usize> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    search
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let s = s.to_lowercase();
            words.iter().all(|w| s.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

#[function_component(PagedList)]
pub fn paged_list(p: &PagedProps) -> Html {
    let t = use_t();
    let query = use_state(String::new);
    let page = use_state(|| 0usize);
    let hits = matching(&p.search, &query);
    let per = p.per_page.max(1);
    let pages = hits.len().div_ceil(per).max(1);
    // A list that shrank (people left, a search narrowed it) keeps a page that exists.
    let at = (*page).min(pages - 1);
    let from = at * per;
    let shown = &hits[from.min(hits.len())..(from + per).min(hits.len())];
    let on_search = {
        let (query, page) = (query.clone(), page.clone());
        Callback::from(move |e: InputEvent| {
            query.set(event_value(&e));
            page.set(0);
        })
    };
    let step = |d: isize| {
        let page = page.clone();
        Callback::from(move |_| page.set(at.saturating_add_signed(d).min(pages - 1)))
    };
    let id = p.id.to_string();
    let range = if hits.is_empty() {
        t.t("list.none").to_string()
    } else {
        t.f(
            "list.range",
            &[
                ("from", &(from + 1)),
                ("to", &(from + shown.len())),
                ("n", &hits.len()),
            ],
        )
    };
    html! {
        <div class="paged">
            <div class="paged-search">
                <label class="sr-only" for={format!("{id}-search")}>{ p.label.clone() }</label>
                <input id={format!("{id}-search")} class="input" type="search" placeholder={p.label.clone()}
                    value={(*query).clone()} oninput={on_search} />
            </div>
            <ul id={id.clone()} class={p.class.clone()} tabindex={p.scrolls.as_ref().map(|_| "0")}
                aria-label={p.scrolls.clone()}>
                { for shown.iter().map(|i| p.render.emit(*i)) }
            </ul>
            if pages > 1 || !query.is_empty() {
                <nav class="pager" aria-label={p.label.clone()}>
                    <button id={format!("{id}-prev")} class="btn btn-small" disabled={at == 0} onclick={step(-1)}>{ t.t("list.prev") }</button>
                    <span id={format!("{id}-range")} class="muted" aria-live="polite">{ range }</span>
                    <button id={format!("{id}-next")} class="btn btn-small" disabled={at + 1 >= pages} onclick={step(1)}>{ t.t("list.next") }</button>
                </nav>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn matches_every_word_in_any_case() {
        let rows = vec![
            "Amal Haddad · remote".to_string(),
            "Bruno · in the room".to_string(),
            "amal b".to_string(),
        ];
        assert_eq!(matching(&rows, ""), vec![0, 1, 2]);
        assert_eq!(matching(&rows, "AMAL"), vec![0, 2]);
        assert_eq!(matching(&rows, "amal remote"), vec![0]);
        assert_eq!(matching(&rows, "nobody"), Vec::<usize>::new());
    }
}
