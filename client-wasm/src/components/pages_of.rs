//! Fit a long list on a screen that cannot scroll: the projector's wall, themes and results.
//!
//! The items flow in CSS columns inside a box of fixed height; what does not fit overflows
//! into further columns beside it, one screen width at a time. Each screen width is a page,
//! and the box slides to show one page after another. The browser does the fitting, so a long
//! note never gets cut and a short one never wastes a page; this code only counts the pages
//! (from where the items landed) and turns them. No item is ever cut: one that would cross
//! the bottom moves to the next column whole (`break-inside: avoid`).

use crate::hooks::use_clock;
use crate::i18n::use_t;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Seconds a page stays up before the next one, unless the page asks otherwise.
pub const TURN_SECS: u32 = 12;

#[derive(Properties, PartialEq)]
pub struct FitProps {
    /// The list's id (the page indicator is `{id}-page`).
    pub id: AttrValue,
    /// `<li>` items.
    pub children: Html,
    /// Extra classes on the flowing list (how wide its columns are).
    #[prop_or_default]
    pub class: Classes,
    #[prop_or(TURN_SECS)]
    pub turn_secs: u32,
    /// Ordered list (ranked results) rather than a wall.
    #[prop_or_default]
    pub ordered: bool,
    /// Steps taken by hand (a presentation clicker's arrows), added to the automatic turn.
    #[prop_or_default]
    pub nudge: i64,
}

/// Which page an item `left..left + width` (offsets within a flow `page` wide) lands on.
/// Right-to-left flows overflow to the left, so there the distance counts from the right.
pub fn page_of(left: i32, width: i32, page: i32, rtl: bool) -> usize {
    if page <= 0 {
        return 0;
    }
    let from_start = if rtl { page - (left + width) } else { left };
    // A pixel of slack: sub-pixel column widths round either way.
    usize::try_from((from_start + 1).div_euclid(page)).unwrap_or(0)
}

#[function_component(FitPages)]
pub fn fit_pages(p: &FitProps) -> Html {
    let t = use_t();
    let flow = use_node_ref();
    let pages = use_state_eq(|| 1usize);
    let rtl = use_state_eq(|| false);
    let width = use_state_eq(|| 0i32);
    // Ticks even on one page, so a window that changed size is measured again.
    let now = use_clock(true, 1000);
    {
        // After every render (a note arrived, the window changed): count where items landed.
        // Once at once and once a moment later: a screen that changed phase may still be
        // settling (the old body leaving, the new one arriving) when the first count runs.
        let (flow, pages, rtl, width) = (flow.clone(), pages.clone(), rtl.clone(), width.clone());
        use_effect(move || {
            let measure = move || {
                if let Some(el) = flow.cast::<web_sys::HtmlElement>() {
                    let w = el.offset_width();
                    let is_rtl = el.closest("[dir=rtl]").ok().flatten().is_some();
                    let mut last = 0;
                    let mut kid = el.first_element_child();
                    while let Some(k) = kid {
                        if let Some(h) = k.dyn_ref::<web_sys::HtmlElement>() {
                            last = last.max(page_of(h.offset_left(), h.offset_width(), w, is_rtl));
                        }
                        kid = k.next_element_sibling();
                    }
                    pages.set(last + 1);
                    rtl.set(is_rtl);
                    width.set(w);
                }
            };
            measure.clone()();
            let later = gloo_timers::callback::Timeout::new(80, measure);
            move || drop(later)
        });
    }
    let n = *pages;
    let turn = i64::from(p.turn_secs.max(1)) * 1000;
    let at = usize::try_from((now / turn + p.nudge).rem_euclid(n as i64)).unwrap_or(0);
    let shift = i64::from(*width) * at as i64;
    let shift = if *rtl { shift } else { -shift };
    let style = format!("transform:translateX({shift}px)");
    let class = classes!("fit-flow", p.class.clone());
    let id = p.id.to_string();
    html! {
        <div class="fit">
            <div class="fit-frame">
                if p.ordered {
                    <ol {id} {class} {style} ref={flow}>{ p.children.clone() }</ol>
                } else {
                    <ul {id} {class} {style} ref={flow}>{ p.children.clone() }</ul>
                }
            </div>
            <p class="fit-page" id={format!("{}-page", p.id)} data-page={(at + 1).to_string()} data-pages={n.to_string()}>
                if n > 1 {
                    <span class="sr-only">{ t.f("projector.page_of", &[("n", &(at + 1)), ("of", &n)]) }</span>
                    <span class="fit-page-n" aria-hidden="true">{ format!("{} / {}", at + 1, n) }</span>
                }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn items_land_on_the_page_of_their_column() {
        // Four columns of 250 in a 1000-wide flow: overflow columns start at 1000, 2000...
        assert_eq!(page_of(0, 250, 1000, false), 0);
        assert_eq!(page_of(750, 250, 1000, false), 0);
        assert_eq!(page_of(1000, 250, 1000, false), 1);
        assert_eq!(page_of(999, 250, 1000, false), 1);
        assert_eq!(page_of(2750, 250, 1000, false), 2);
        // Right to left: the first page's first column is at the right edge.
        assert_eq!(page_of(750, 250, 1000, true), 0);
        assert_eq!(page_of(0, 250, 1000, true), 0);
        assert_eq!(page_of(-250, 250, 1000, true), 1);
        assert_eq!(page_of(-1250, 250, 1000, true), 2);
        assert_eq!(page_of(5, 5, 0, false), 0);
    }
}
